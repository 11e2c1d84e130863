"""A command the user's role does not allow is refused in one line, exit 2, and writes nothing."""

import pytest

from lagesbild.cli import main
from lagesbild.surveys.models import Survey


@pytest.mark.django_db
def test_a_refused_permission_is_one_line_and_exit_2(kalmar_user, demo_dir, capsys):
    code = main(["survey", "import", "--spec", str(demo_dir / "sos-2025.yaml"),
                 "--responses", str(demo_dir / "sos-2025-svar.csv"), "--user", kalmar_user.username])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("lagesbild: behörighet saknas") and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert not Survey.objects.exists()
