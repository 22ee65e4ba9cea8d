"""``{% plotly_style_placeholders %}``: keep plotly.js from writing stylesheets into the page.

plotly.js adds its CSS in two ways. Its own rules go into an *empty* ``<style>`` element through the CSSOM
(``insertRule``), which the CSP allows: the policy admits exactly one inline style element, the empty
one (its hash), and the CSSOM is not subject to CSP. The map traces' stylesheet, though, is written as
text into a ``<style>`` element when plotly.js loads, unless an element with its id already exists: this
tag renders such a placeholder (an empty ``<meta>``), so nothing is refused and nothing is injected.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from dbconsole.staticfinders import plotly_injected_style_ids

register = template.Library()


@register.simple_tag
def plotly_style_placeholders() -> SafeString:
    return format_html_join("", '<meta name="plotly-style-placeholder" id="{}">',
                            ((style_id,) for style_id in plotly_injected_style_ids()))
