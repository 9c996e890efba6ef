"""The starting community rules, one behind each report reason, in English, Spanish and
Arabic. Moderators edit and translate them in admin; this migration only adds the codes that
are missing."""

from django.db import migrations

RULES = [
    # code, (English title, body), (Spanish title, body), (Arabic title, body)
    (
        "spam",
        (
            "No spam or scams",
            "Do not post repetitive or misleading content, fake engagement, or links that "
            "trick people out of their money or their accounts.",
        ),
        (
            "Nada de spam ni estafas",
            "No publiques contenido repetitivo o engañoso, interacciones falsas ni enlaces que "
            "engañen a la gente para quitarle su dinero o sus cuentas.",
        ),
        (
            "لا رسائل مزعجة ولا احتيال",
            "لا تنشر محتوى متكررًا أو مضللًا، ولا تفاعلًا زائفًا، ولا روابط تخدع الناس "
            "لتسلبهم أموالهم أو حساباتهم.",
        ),
    ),
    (
        "harassment",
        (
            "Respect other people",
            "Do not harass, bully, threaten or shame anyone, or encourage others to. "
            "Disagree with ideas, not with people.",
        ),
        (
            "Respeta a los demás",
            "No acoses, intimides, amenaces ni humilles a nadie, ni animes a otros a hacerlo. "
            "Discrepa de las ideas, no de las personas.",
        ),
        (
            "احترم الآخرين",
            "لا تتحرش بأحد ولا تتنمّر عليه ولا تهدده ولا تُهِنه، ولا تشجّع غيرك على ذلك. "
            "اختلف مع الأفكار لا مع الأشخاص.",
        ),
    ),
    (
        "hate",
        (
            "No hate speech",
            "Do not attack people for who they are: their origin, religion, gender, sexual "
            "orientation, disability or any other part of their identity.",
        ),
        (
            "Nada de discurso de odio",
            "No ataques a las personas por quiénes son: su origen, religión, género, "
            "orientación sexual, discapacidad o cualquier otra parte de su identidad.",
        ),
        (
            "لا لخطاب الكراهية",
            "لا تهاجم الناس بسبب هويتهم: أصلهم أو دينهم أو جنسهم أو ميولهم الجنسية أو "
            "إعاقتهم أو أي جزء آخر من هويتهم.",
        ),
    ),
    (
        "violence",
        (
            "No violence or threats",
            "Do not threaten, glorify or incite violence against anyone, and do not post "
            "graphic violence to shock.",
        ),
        (
            "Nada de violencia ni amenazas",
            "No amenaces, glorifiques ni incites a la violencia contra nadie, y no publiques "
            "violencia explícita para impactar.",
        ),
        (
            "لا عنف ولا تهديد",
            "لا تهدد أحدًا بالعنف ولا تمجّده ولا تحرّض عليه، ولا تنشر مشاهد عنف صادمة.",
        ),
    ),
    (
        "sexual",
        (
            "No sexual content",
            "Do not post nudity or sexual content. Anything that sexualises minors is removed "
            "at once and reported to the authorities.",
        ),
        (
            "Nada de contenido sexual",
            "No publiques desnudos ni contenido sexual. Todo lo que sexualice a menores se "
            "retira de inmediato y se denuncia a las autoridades.",
        ),
        (
            "لا محتوى جنسي",
            "لا تنشر صور عري أو محتوى جنسيًا. أي محتوى يستغل القاصرين جنسيًا يُحذف فورًا "
            "ويُبلَّغ عنه إلى السلطات.",
        ),
    ),
    (
        "self_harm",
        (
            "Look after yourself and others",
            "Do not promote or show self-harm, suicide or eating disorders. If you are "
            "struggling, please reach out to someone you trust or a local helpline.",
        ),
        (
            "Cuídate y cuida a los demás",
            "No promuevas ni muestres autolesiones, suicidio o trastornos alimentarios. Si lo "
            "estás pasando mal, habla con alguien de confianza o con una línea de ayuda local.",
        ),
        (
            "اعتنِ بنفسك وبالآخرين",
            "لا تروّج لإيذاء النفس أو الانتحار أو اضطرابات الأكل ولا تعرضها. إن كنت تمر بوقت "
            "صعب، فتحدث إلى شخص تثق به أو إلى خط مساعدة محلي.",
        ),
    ),
    (
        "dangerous",
        (
            "No dangerous acts",
            "Do not post challenges, stunts or instructions that could get someone seriously "
            "hurt, especially if they invite others to copy them.",
        ),
        (
            "Nada de actos peligrosos",
            "No publiques retos, acrobacias ni instrucciones que puedan herir gravemente a "
            "alguien, sobre todo si invitan a otros a imitarlos.",
        ),
        (
            "لا أفعال خطيرة",
            "لا تنشر تحديات أو حركات خطرة أو تعليمات قد تؤدي إلى إصابة أحد إصابة بالغة، "
            "خاصة إن كانت تدعو الآخرين إلى تقليدها.",
        ),
    ),
    (
        "misinformation",
        (
            "No harmful false information",
            "Do not post false claims that could cause real harm, for example about health, "
            "emergencies or elections.",
        ),
        (
            "Nada de información falsa dañina",
            "No publiques afirmaciones falsas que puedan causar daño real, por ejemplo sobre "
            "salud, emergencias o elecciones.",
        ),
        (
            "لا معلومات مضللة ضارة",
            "لا تنشر ادعاءات كاذبة قد تسبب ضررًا حقيقيًا، مثل ما يتعلق بالصحة أو حالات "
            "الطوارئ أو الانتخابات.",
        ),
    ),
    (
        "intellectual_property",
        (
            "Post what is yours to post",
            "Only post clips, music and marks you made or have the right to use.",
        ),
        (
            "Publica lo que te corresponde",
            "Publica solo clips, música y marcas que hayas creado o que tengas derecho a usar.",
        ),
        (
            "انشر ما يحق لك نشره",
            "لا تنشر إلا المقاطع والموسيقى والعلامات التي صنعتها أو يحق لك استخدامها.",
        ),
    ),
    (
        "privacy",
        (
            "Respect privacy",
            "Do not share someone's private information (address, phone number, documents) "
            "or film people in private without their consent.",
        ),
        (
            "Respeta la privacidad",
            "No compartas información privada de nadie (dirección, teléfono, documentos) ni "
            "grabes a personas en privado sin su consentimiento.",
        ),
        (
            "احترم الخصوصية",
            "لا تشارك معلومات خاصة بأحد (العنوان أو رقم الهاتف أو الوثائق) ولا تصوّر الناس "
            "في أماكنهم الخاصة دون موافقتهم.",
        ),
    ),
]


def seed(apps, schema_editor):
    CommunityRule = apps.get_model("moderation", "CommunityRule")
    for position, (code, en, es, ar) in enumerate(RULES):
        CommunityRule.objects.get_or_create(
            code=code,
            defaults={
                "position": position,
                "title": en[0],
                "body": en[1],
                "title_en": en[0],
                "body_en": en[1],
                "title_es": es[0],
                "body_es": es[1],
                "title_ar": ar[0],
                "body_ar": ar[1],
            },
        )


class Migration(migrations.Migration):
    dependencies = [("moderation", "0003_community_rules")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
