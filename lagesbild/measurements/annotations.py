_providers = []


def register(provider):
    _providers.append(provider)
