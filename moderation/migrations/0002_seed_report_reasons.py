"""The starting catalogue of report reasons, in English, Spanish and Arabic. Moderators edit
it in admin; this migration only adds the codes that are missing."""

from django.db import migrations

REASONS = [
    # code, English, Spanish, Arabic
    ("spam", "Spam or scam", "Spam o estafa", "رسائل مزعجة أو احتيال"),
    ("harassment", "Harassment or bullying", "Acoso o intimidación", "تحرش أو تنمّر"),
    ("hate", "Hate speech", "Discurso de odio", "خطاب كراهية"),
    ("violence", "Violence or threats", "Violencia o amenazas", "عنف أو تهديد"),
    ("sexual", "Sexual content", "Contenido sexual", "محتوى جنسي"),
    ("self_harm", "Self-harm or suicide", "Autolesión o suicidio", "إيذاء النفس أو الانتحار"),
    ("dangerous", "Dangerous acts", "Actos peligrosos", "أفعال خطيرة"),
    ("misinformation", "False information", "Información falsa", "معلومات مضللة"),
    (
        "intellectual_property",
        "Copyright or trademark",
        "Derechos de autor o marca",
        "حقوق النشر أو العلامة التجارية",
    ),
    ("privacy", "Private information", "Información privada", "معلومات خاصة"),
    ("other", "Something else", "Otro motivo", "سبب آخر"),
]


def seed(apps, schema_editor):
    ReportReason = apps.get_model("moderation", "ReportReason")
    for position, (code, en, es, ar) in enumerate(REASONS):
        ReportReason.objects.get_or_create(
            code=code,
            defaults={
                "position": position,
                "label": en,
                "label_en": en,
                "label_es": es,
                "label_ar": ar,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("moderation", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
