from __future__ import annotations

from pathlib import Path

import typer

from ..errors import ConfigError
from ..packs import RuleBuilder, load_pack, resolve_packs, shared_lexicons
from ..pipeline import load, read_pipeline_config, settings_for, settings_of
from .main import CONFIG_HELP, OVERRIDES, Arg, Opt, app, fail, split_overrides

rules_app = typer.Typer(help="Inspect and validate rule packs.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")


@rules_app.command("list")
def list_cmd(
    packs: list[str] = Arg(None, help="Pack names or folders [default: the configured packs]."),
    config: Path | None = Opt(None, "--config", "-c", help=CONFIG_HELP),
) -> None:
    """Labels of each pack with their definitions and rule counts."""
    try:
        pipeline = read_pipeline_config(config)
        loaded = resolve_packs(settings_of(pipeline), packs or pipeline["rules"]["packs"])
    except ConfigError as exc:
        fail(exc)
    for pack in loaded:
        m = pack.manifest
        typer.echo(f"{m.name}: {m.description}")
        counts: dict[str, int] = {}
        for item in pack.rules:
            counts[item.label] = counts.get(item.label, 0) + 1
        for title, labels in (("tactics", m.labels), ("actors", m.actor_labels)):
            if labels:
                typer.echo(f"  {title}:")
            for label, definition in labels.items():
                typer.echo(f"    {label:<26} {counts.get(label, 0):>4} rules  {definition}")
        typer.echo("")


@rules_app.command("check")
def check_cmd(
    paths: list[Path] = Arg(..., help="Pack folders, or folders holding packs (e.g. configs/rules)."),
    config: Path | None = Opt(None, "--config", "-c", help=CONFIG_HELP),
) -> None:
    """Validate packs: schema, unknown keys, labels, duplicate ids, spaCy token patterns.

    Prints ``path:line: message`` for each problem; exit code 1 when any.
    """
    try:
        cfg = settings_for(config)
        nlp = load(config, packs=[])
    except ConfigError as exc:
        fail(exc)
    folders: list[Path] = []
    for path in paths:
        if (path / "pack.yaml").exists():
            folders.append(path)
        else:
            folders.extend(sorted(p.parent for p in path.glob("*/pack.yaml")))
    if not folders:
        typer.echo(f"claimx: error: no pack.yaml under {', '.join(map(str, paths))}", err=True)
        raise typer.Exit(2)
    builder = RuleBuilder.for_pipeline(nlp, cfg)
    problems, everything = 0, []
    try:
        shared = shared_lexicons(cfg)
    except ConfigError as exc:
        typer.echo(exc.message)
        raise typer.Exit(1) from None
    for folder in folders:
        try:
            pack = load_pack(folder, shared)
            builder.build(pack.rules)
            everything.extend(pack.rules)
            typer.echo(f"ok  {folder}: {len(pack.rules)} rules", err=True)
        except ConfigError as exc:
            problems += 1
            typer.echo(exc.message)
    if not problems:
        try:  # ids must be unique across packs too
            builder.build(everything)
        except ConfigError as exc:
            problems += 1
            typer.echo(exc.message)
    raise typer.Exit(1 if problems else 0)



@rules_app.command("stats", context_settings=OVERRIDES)
def stats_cmd(
    ctx: typer.Context,
    paths: list[str] = Arg(..., help="Documents to run the rules on (files, folders, '-')."),
    rules: list[str] = Opt(None, "--rules", "-r", help="Rule packs [default: the configured packs]."),
    out: Path | None = Opt(None, "--out", "-o", help="Write the table as CSV or JSON (by suffix)."),
    config: Path | None = Opt(None, "--config", "-c", help=CONFIG_HELP),
) -> None:
    """Per rule on unlabelled text: hits, share of documents and claims hit, overlaps, label conflicts."""
    from ..extract import Extractor
    from ..readers import read_inputs
    from ..rulestats import rule_stats

    paths, overrides = split_overrides([*paths, *ctx.args])
    try:
        extractor = Extractor(pipeline=config, overrides=overrides, packs=rules or None)
        table = rule_stats(extractor(read_inputs(paths, extractor.config.settings.input)))
    except ConfigError as exc:
        fail(exc)
    typer.echo(table.to_string(index=False) if len(table) else "no rule fired")
    if out is not None:
        table.to_json(out, orient="records", indent=2) if out.suffix == ".json" else table.to_csv(out, index=False)
