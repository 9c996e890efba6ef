"""Fields translated in admin with django-modeltranslation (label_en, label_es, label_ar...)."""

from modeltranslation.translator import TranslationOptions, register

from moderation.models import ReportReason


@register(ReportReason)
class ReportReasonTranslationOptions(TranslationOptions):
    fields = ("label", "description")
