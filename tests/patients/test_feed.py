"""`lagesbild patients feed --demo`: admissions, assessments, actions and discharges on the demo's
wards through the patient import; and the discharge message on its own."""

from datetime import timedelta

import pytest
from django.utils import timezone

from lagesbild.core.actor import Actor
from lagesbild.ingest.errors import InputError
from lagesbild.patients import services
from lagesbild.patients.models import Assessment, Episode

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_units(db):
    from lagesbild.demo_region import DATA_DIR
    from lagesbild.org import services as org

    org.import_units((DATA_DIR / "enheter.csv").read_bytes(), "enheter.csv", actor=Actor.system())


def test_the_feed_admits_and_assesses_on_the_demo_wards(demo_units):
    from lagesbild.cli import main
    from lagesbild.demo_region import feed

    lines = []
    assert feed.run(8, 0, say=lines.append, seed=7) == 8
    assert Episode.objects.filter(episode__startswith="RT").count() >= 1
    assert Assessment.objects.filter(episode__episode__startswith="RT").exists()
    assert any("Inskriven" in line for line in lines) and any("Riskbedömning" in line for line in lines)
    assert set(Episode.objects.values_list("unit__code", flat=True)) <= {u.code for u in feed.demo_wards()}
    assert main(["patients", "feed"]) == 2  # only --demo


def test_a_discharge_message_updates_the_episode_and_is_checked(demo_units):
    from lagesbild.demo_region import feed

    feed.run(1, 0, say=lambda line: None, seed=1)
    episode = Episode.objects.first()
    at = timezone.now() + timedelta(hours=1)
    services.discharge(episode.episode, at, actor=Actor.system())
    episode.refresh_from_db()
    assert episode.discharged_at == at and episode.source_import.file_name == f"utskrivning {episode.episode}"
    with pytest.raises(InputError):
        services.discharge("FINNS-INTE", at, actor=Actor.system())
    with pytest.raises(InputError):
        services.discharge(episode.episode, episode.admitted_at - timedelta(hours=1), actor=Actor.system())
