from pathlib import Path

import pytest

from monitor.config import load_settings
from monitor.errors import ConfigError

REPO = Path(__file__).resolve().parent.parent


def test_shipped_config_loads_with_documented_defaults() -> None:
    settings = load_settings(REPO / "config" / "monitor.toml", environ={})
    assert settings.fetch.allow_private_hosts is False
    assert settings.fetch.max_bytes == 5_000_000
    assert settings.fetch.max_redirects == 5
    assert settings.fetch.connect_timeout == 10.0
    assert settings.fetch.total_timeout == 30.0
    assert "monitor" in settings.fetch.user_agent
    assert settings.db_path == Path("data/monitor.db")


def test_environment_overrides_file(tmp_path: Path) -> None:
    config = tmp_path / "m.toml"
    config.write_text("[fetch]\nmax_bytes = 100\n")
    env = {
        "MONITOR_FETCH_MAX_BYTES": "2000",
        "MONITOR_ALLOW_PRIVATE_HOSTS": "1",
        "MONITOR_DB": "x.db",
    }
    settings = load_settings(config, environ=env)
    assert settings.fetch.max_bytes == 2000
    assert settings.fetch.allow_private_hosts is True
    assert settings.db_path == Path("x.db")


def test_db_argument_beats_environment(tmp_path: Path) -> None:
    settings = load_settings(None, tmp_path / "a.db", {"MONITOR_DB": "b.db"})
    assert settings.db_path == tmp_path / "a.db"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[fetch]\nalow_private_hosts = true\n", "unknown key"),
        ("[fech]\nmax_bytes = 1\n", "unknown section"),
        ("[fetch]\nmax_bytes = 'lots'\n", "expected a int"),
        ("[fetch]\nallow_private_hosts = 'maybe'\n", "expected true or false"),
        ('[outlets."example.com"]\ntimezone = "Mars/Olympus"\n', "unknown time zone"),
        ('[outlets."example.com"]\nbody_selektor = "div"\n', "unknown key"),
        ('[outlets."example.com"]\nbody_selector = "div[["\n', "not a CSS selector"),
        ('[outlets."example.com"]\nignore_selectors = ["ok", "p::"]\n', "not a CSS selector"),
        ("[fetch\n", "not valid TOML"),
    ],
)
def test_bad_settings_are_refused_with_a_reason(tmp_path: Path, text: str, message: str) -> None:
    config = tmp_path / "m.toml"
    config.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_settings(config, environ={})


def test_bad_environment_value_is_refused() -> None:
    with pytest.raises(ConfigError, match="MONITOR_FETCH_MAX_BYTES"):
        load_settings(None, environ={"MONITOR_FETCH_MAX_BYTES": "many"})


def test_missing_named_config_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "absent.toml", environ={})


def test_outlet_rules_apply_to_subdomains_and_defaults(tmp_path: Path) -> None:
    config = tmp_path / "m.toml"
    config.write_text(
        '[outlets."example.com"]\nbody_selector = "div.story"\nignore_selectors = ".ad"\n'
    )
    settings = load_settings(config, environ={})
    assert settings.outlet_rules("www.example.com").body_selector == "div.story"
    assert settings.outlet_rules("m.example.com").ignore_selectors == (".ad",)
    assert settings.outlet_rules("www.koreatimes.co.kr").timezone == "Asia/Seoul"
    assert settings.outlet_rules("unknown.example").timezone is None
