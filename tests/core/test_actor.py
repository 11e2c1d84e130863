"""The actor every change is made by: only the system acts without a user, channels are known."""

import pytest

from lagesbild.core.actor import Actor


class _User:
    is_authenticated = True

    def get_username(self):
        return "kalmar"


def test_only_the_system_acts_without_a_user():
    with pytest.raises(ValueError):
        Actor(user=None, channel="web")
    system = Actor.system()
    assert system.is_system and system.channel == "system" and system.username == ""
    assert system.authenticated_user is None


def test_an_unknown_channel_is_refused():
    with pytest.raises(ValueError):
        Actor(user=_User(), channel="fax")


def test_a_command_line_actor_names_its_user():
    actor = Actor.cli(_User())
    assert (actor.channel, actor.username, actor.is_system) == ("cli", "kalmar", False)
    assert str(actor) == "kalmar (cli)"
