DEFAULT_CHANNELS = (("web", "Web shop"), ("retail", "Retail store"), ("phone", "Phone orders"))


def ensure_default_channels(channel_model) -> None:
    for code, name in DEFAULT_CHANNELS:
        channel_model.objects.get_or_create(code=code, defaults={"name": name})
