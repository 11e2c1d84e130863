"""This app's API endpoints; `register` is called by lagesbild/api/urls.py."""


def register(router) -> None:
    pass
