"""The settings table (settings.py) is the one place defaults are written: the command line's options and
ServerConfig are made from it, $KORYO_KG_HOME is read in one place, and the README's *Command line* states
every option with the table's default."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import click
import pytest

from koryo_kg.cli import main
from koryo_kg.settings import BUILD, GLOBAL, INCLUDE, LINT, QUERY, SERVE, SETTINGS, TABLES, VALIDATE, ServerConfig

ROOT = Path(__file__).parents[2]


def readme_option_tables() -> list[dict[str, tuple[str, str, str]]]:
    """Each option table in the README's *Command line*: option -> (option cell, default cell, meaning cell)."""
    readme = ROOT.joinpath("README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Command line\n", 1)[1].split("\n## ", 1)[0]
    tables: list[dict[str, tuple[str, str, str]]] = []
    rows: dict[str, tuple[str, str, str]] = {}
    for line in section.splitlines() + [""]:
        if line.startswith("| `--"):
            cells = [cell.strip() for cell in line.strip("|").split(" | ")]
            assert len(cells) == 3, line
            rows[cells[0].strip("`").split()[0]] = tuple(cells)
        elif not line.startswith("|") and rows:  # the line after a table
            tables.append(rows)
            rows = {}
    return tables


def test_the_readme_states_every_option_with_the_tables_default():
    tables = readme_option_tables()
    assert sorted(sorted(t) for t in tables) == sorted(sorted(s.option for s in table) for table in TABLES)
    for table in TABLES:
        rows = next(t for t in tables if set(t) == {s.option for s in table})
        for setting in table:
            option, default, meaning = rows[setting.option]
            assert option == f"`{setting.option} {setting.metavar}`".replace(" `", "`"), setting.name
            assert default.replace("`", "") == setting.stated_default(), setting.name
            if setting.env:
                assert f"`${setting.env}`" in meaning, setting.name


def _params(command: click.Command) -> dict[str, click.Parameter]:
    return {p.name: p for p in command.params}


COMMANDS = {"koryo-kg": (main, GLOBAL), "serve": (main.commands["serve"], SERVE + INCLUDE),
            "build": (main.commands["build"], BUILD + INCLUDE), "validate": (main.commands["validate"], VALIDATE + INCLUDE),
            "lint": (main.commands["lint"], LINT), "query": (main.commands["query"], QUERY + INCLUDE),
            "publish": (main.commands["publish"], INCLUDE)}
# the options written by hand in cli.py, each with its help there and its row in the README's command table
BY_HAND = {"publish": {"store_url", "store_update", "store_graphs", "store_credentials"}}


@pytest.mark.parametrize("name", COMMANDS)
def test_command_options_are_made_from_the_table(name):
    command, settings = COMMANDS[name]
    params = _params(command)
    assert set(params) - {"paths", "query", "help", "version"} - BY_HAND.get(name, set()) == {s.name for s in settings}
    for setting in settings:
        param = params[setting.name]
        assert setting.option in param.opts
        assert param.multiple == setting.multiple
        if setting.short:
            assert setting.short in param.opts
        if setting.type == "flag":
            assert param.is_flag and param.default is False
        elif setting.type == "choice":  # --help lists the choices instead of a metavar
            assert tuple(param.type.choices) == setting.choices and param.default == setting.default
        else:
            assert param.default == setting.default and param.metavar == setting.metavar
            assert param.envvar == setting.env
            if setting.low is not None:
                assert param.type.min == setting.low and param.type.max == setting.high


def test_server_config_defaults_are_the_tables():
    fields = {f.name: f.default for f in dataclasses.fields(ServerConfig)}
    shared = [name for name in fields if name in SETTINGS]
    assert {"workers", "threads", "query_timeout", "max_rows", "max_body", "max_memory", "max_connections",
            "header_timeout", "cors_origins", "service_allowlist", "public_url", "allowed_hosts"} <= set(shared)
    for name in shared:
        assert fields[name] == SETTINGS[name].default, name


def test_koryo_kg_home_is_read_in_one_place(monkeypatch, tmp_path):
    sources = [p for p in (ROOT / "src" / "koryo_kg").rglob("*.py") if "KORYO_KG_HOME" in
               re.sub(r'""".*?"""|#[^\n]*', "", p.read_text(encoding="utf-8"), flags=re.S)]
    assert [p.name for p in sources] == ["settings.py"]
    monkeypatch.setenv("KORYO_KG_HOME", str(tmp_path))
    context = main.make_context("koryo-kg", ["build"])
    assert context.params["home"] == tmp_path
    monkeypatch.delenv("KORYO_KG_HOME")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert main.make_context("koryo-kg", ["build"]).params["home"] is None
    from koryo_kg.build.cache import BuildCache

    assert BuildCache().home == tmp_path / "cache" / "koryo-kg"


def test_serve_help_states_the_defaults():
    text = main.commands["serve"].get_help(click.Context(main.commands["serve"], info_name="serve"))
    for setting in SERVE:
        assert setting.option in text
    assert "[default: 127.0.0.1]" in text and "$KORYO_KG_HOME/updates.rdfp" in text
