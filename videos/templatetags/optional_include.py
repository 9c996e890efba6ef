"""`{% optional_include "app/_part.html" %}`: include a template that another app may not
provide yet (the moderation app's Report button in the video page's menu), rendering nothing
until it exists."""

from django import template
from django.template import TemplateDoesNotExist

register = template.Library()


@register.simple_tag(takes_context=True)
def optional_include(context, template_name: str):
    try:
        included = context.template.engine.get_template(template_name)
    except TemplateDoesNotExist:
        return ""
    return included.render(context)
