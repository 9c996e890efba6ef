"""Fields translated in admin with django-modeltranslation (label_en, label_es, label_ar...)."""

from modeltranslation.translator import TranslationOptions, register

from moderation.models import CommunityRule, ReportReason


@register(ReportReason)
class ReportReasonTranslationOptions(TranslationOptions):
    fields = ("label", "description")


@register(CommunityRule)
class CommunityRuleTranslationOptions(TranslationOptions):
    fields = ("title", "body")
