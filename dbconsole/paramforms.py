"""Django forms under the parameter layer's rules (``dbconsole.params``): text without control characters,
bounded lengths, integers within PostgreSQL's and dates within Python's ranges — and the request records
each field as a declared parameter, so the no-5xx property test generates values for it."""

from __future__ import annotations

from typing import Any, Self, TypeGuard

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.http import HttpRequest

from dbconsole.params import (
    CONTROL,
    EARLIEST,
    FORM_TEXT_MAX_LENGTH,
    INT4_MAX,
    LATEST,
    Choice,
    Date,
    Int,
    Param,
    Text,
    record,
)


class ParamForm(forms.Form):
    """A Django form whose fields follow this layer's rules on top of their own: text without control
    characters (Django already refuses NUL) and at most 100,000 characters unless the field says less;
    whole numbers within PostgreSQL's integer unless the field says narrower; days between 1900 and 9000.
    Bind it with ``from_request`` so the request records its fields."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for form_field in self.fields.values():
            _harden(form_field)

    @classmethod
    def from_request(cls, request: HttpRequest, **kwargs: Any) -> Self:
        form = cls(request.POST, **kwargs)
        record(request, *(field_param(form.add_prefix(name), f) for name, f in form.fields.items()))
        return form


def _no_control(value: Any) -> None:
    if isinstance(value, str) and CONTROL.search(value):
        raise ValidationError("Control characters (NUL and the like) are not allowed here.", code="control")


def _is_integer(form_field: forms.Field) -> TypeGuard[forms.IntegerField]:
    return isinstance(form_field, forms.IntegerField) and not isinstance(form_field, forms.DecimalField
                                                                         | forms.FloatField)


def _harden(form_field: forms.Field) -> None:
    if isinstance(form_field, forms.CharField):
        form_field.validators.append(_no_control)
        if form_field.max_length is None:
            form_field.max_length = FORM_TEXT_MAX_LENGTH
            form_field.validators.append(MaxLengthValidator(FORM_TEXT_MAX_LENGTH))
    elif _is_integer(form_field):
        if form_field.max_value is None:
            form_field.validators.append(MaxValueValidator(INT4_MAX))
        if form_field.min_value is None:
            form_field.validators.append(MinValueValidator(-INT4_MAX - 1))
    elif isinstance(form_field, forms.DateField):
        form_field.validators += [MinValueValidator(EARLIEST.date()), MaxValueValidator(LATEST.date())]


def field_param(name: str, form_field: forms.Field) -> Param[Any]:
    """The declaration matching a form field (what the property test generates values from). Soft: a
    form validates every field and shows each error next to what was typed."""
    if isinstance(form_field, forms.BooleanField):
        return Choice(name, choices=("on", "1", "true"), soft=True)
    if isinstance(form_field, forms.ChoiceField):
        keys = tuple(str(key) for key, _label in form_field.choices)  # type: ignore[union-attr,misc]
        return Choice(name, choices=keys, soft=True)
    if _is_integer(form_field):
        low = form_field.min_value if form_field.min_value is not None else -INT4_MAX - 1
        high = form_field.max_value if form_field.max_value is not None else INT4_MAX
        return Int(name, default=None, minimum=int(low), maximum=int(high), soft=True)
    if isinstance(form_field, forms.DateField):
        return Date(name, default=None, soft=True)
    length = getattr(form_field, "max_length", None) or FORM_TEXT_MAX_LENGTH
    return Text(name, max_length=int(length), soft=True)

