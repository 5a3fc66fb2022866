"""Form fields shared by every page that takes a case's photos (workbench, console,
residents' site)."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MAX_PHOTOS = 6


class MultipleImageInput(forms.ClearableFileInput):
    """A file input that takes several photos, straight from the phone's camera."""

    allow_multiple_selected = True

    def __init__(self, attrs=None):
        super().__init__({"accept": "image/*", "capture": "environment", **(attrs or {})})


class PhotosField(forms.ImageField):
    """Up to `MAX_PHOTOS` images, each checked to be a picture of at most
    `WANGGE_PHOTO_MAX_BYTES`."""

    widget = MultipleImageInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", gettext_lazy("Photos"))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(_("At most %(n)d photos.") % {"n": MAX_PHOTOS})
        cleaned = []
        for upload in files:
            image = super().clean(upload, initial)
            if image.size > settings.WANGGE_PHOTO_MAX_BYTES:
                raise forms.ValidationError(
                    _("A photo may be at most %(mb)d MB.")
                    % {"mb": settings.WANGGE_PHOTO_MAX_BYTES // (1024 * 1024)})
            cleaned.append(image)
        return cleaned
