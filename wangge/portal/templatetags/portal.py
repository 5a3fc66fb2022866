from django import template

register = template.Library()


@register.filter
def get_item(mapping: dict, key: str):
    """`{{ names|get_item:code }}`: a community's name from the code of a grid inside it."""
    return mapping.get(key[:12], "")
