from __future__ import annotations

from pathlib import Path

import typer

from ..config.lexicons import LexiconTable
from ..config.pipeline import read_pipeline_config, settings_for
from ..errors import ConfigError, Errors, ExitCode
from ..nlp.language import load
from ..rules.packs import RuleBuilder, load_pack, resolve_packs
from .main import CONFIG_HELP, OVERRIDES, Arg, Opt, Typer, app, fail, split_overrides

rules_app = Typer(help="Inspect and validate rule packs.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")


@rules_app.command("list")
def list_cmd(
    packs: list[str] = Arg(None, help="Pack names or folders [default: the configured packs]."),
    config: Path | None = Opt(None, "--config", "-c", help=CONFIG_HELP),
    verbose: bool = Opt(
        False, "--verbose", "-v", help="Also list every rule with its compiled patterns and sequences."
    ),
) -> None:
    """Labels of each pack with their definitions, rule counts and compiled token patterns.

    A rule's patterns are what its phrase or token pattern expands to once lexicons,
    inflections and hyphen forms are compiled (settings ``rules.max_expansion`` caps it);
    its sequences, the fixed-length token sequences the engine's trie holds for them
    (``?`` and ``{n,m}`` spelled out); open patterns (``+``, ``*``, ``REGEX`` ...) run on
    the indexed Matcher instead.
    """
    try:
        pipeline = read_pipeline_config(config)
        names = packs or pipeline["rules"]["packs"]
        loaded = resolve_packs(settings_for(pipeline), names)
        component = load(config, packs=[str(p.folder) for p in loaded]).get_pipe("claimx_rules")
        compiled, engine = component.rules, component.matcher
    except ConfigError as exc:
        fail(exc)
    for pack in loaded:
        m = pack.manifest
        lexicons = [n for n in pack.lexicons if pack.lexicons.where(n).path.parent == pack.folder]
        typer.echo(f"{m.name}: {m.description}")
        typer.echo(f"  {len(pack.rules)} rules, {len(lexicons)} lexicons of its own")
        counts: dict[str, list[int]] = {}
        for item in pack.rules:
            c = counts.setdefault(item.label, [0, 0])
            c[0] += 1
            c[1] += len(compiled[item.rule.id].compiled.patterns)
        for title, labels in (("tactics", m.labels), ("actors", m.actor_labels)):
            if labels:
                typer.echo(f"  {title}:")
            for label, definition in labels.items():
                n_rules, n_patterns = counts.get(label, (0, 0))
                typer.echo(f"    {label:<26} {n_rules:>4} rules {n_patterns:>6} patterns  {definition}")
        if verbose:
            typer.echo("  rules:")
            for item in pack.rules:
                rule = compiled[item.rule.id]
                widen = ", ".join(f"{k} {v}" for k, v in (rule.extent.names.items() if rule.extent else ()))
                n_open = len(engine.open.patterns.get(item.rule.id, ()))
                typer.echo(
                    f"    {item.rule.id:<40} {item.label:<26} {len(rule.compiled.patterns):>5} patterns"
                    f" {engine.sequences(item.rule.id):>6} sequences"
                    + (f" {n_open} open" if n_open else "")
                    + (f"  ({widen})" if widen else "")
                )
        typer.echo("")
    n_open = sum(len(v) for v in engine.open.patterns.values())
    typer.echo(
        f"engine: {sum(len(r.compiled.patterns) for r in compiled.values())} token patterns (with cue and "
        f"quantity rules) -> {engine.n_sequences} fixed-length sequences in {engine.n_nodes} trie nodes; "
        f"{n_open} open patterns on the indexed Matcher"
    )


@rules_app.command("check")
def check_cmd(
    paths: list[Path] = Arg(..., help="Pack folders, or folders holding packs (e.g. configs/rules)."),
    config: Path | None = Opt(None, "--config", "-c", help=CONFIG_HELP),
) -> None:
    """Validate packs: schema, unknown keys, labels, lexicons, regexes, duplicate ids, spaCy token patterns.

    Every problem of every file is printed as ``path:line: message`` (not only the
    first); exit code 1 when there is any, 2 for a usage or settings error.
    """
    cfg = settings_for(config)
    nlp = load(config, packs=[])
    folders: list[Path] = []
    for path in paths:
        if (path / "pack.yaml").exists():
            folders.append(path)
        else:
            folders.extend(sorted(p.parent for p in path.glob("*/pack.yaml")))
    if not folders:
        fail(ConfigError(Errors.E092, paths=", ".join(map(str, paths))))
    problems = check_packs(folders, cfg, RuleBuilder.for_pipeline(nlp, cfg))
    for message in problems:
        typer.echo(message)
    raise typer.Exit(ExitCode.DOCUMENT_ERRORS if problems else ExitCode.OK)


def check_packs(folders: list[Path], cfg, builder: RuleBuilder) -> list[str]:
    """Every problem of the shared lexicons and of each pack, in file order, each once."""
    problems: list[ConfigError] = []
    shared = LexiconTable()
    if cfg.settings.rules.lexicons:
        shared.add_file(cfg.path(cfg.settings.rules.lexicons), problems)
    shared.validate(problems)
    everything = []
    for folder in folders:
        before = len(problems)
        pack = load_pack(folder, shared, problems)
        builder.build(pack.rules, problems)
        everything.extend(pack.rules)
        if len(problems) == before:
            typer.echo(f"ok  {folder}: {len(pack.rules)} rules", err=True)
    builder.build(everything, problems)  # ids must be unique across packs too
    return list(dict.fromkeys(exc.message for exc in problems))


@rules_app.command("stats", context_settings=OVERRIDES)
def stats_cmd(
    ctx: typer.Context,
    paths: list[str] = Arg(..., help="Documents to run the rules on (files, folders, '-')."),
    rules: list[str] = Opt(None, "--rules", "-r", help="Rule packs [default: the configured packs]."),
    output: Path | None = Opt(None, "--output", "-o", help="Write the table as CSV or JSON (by suffix)."),
    out_alias: Path | None = Opt(None, "--out", hidden=True, help="The old spelling of --output."),
    config: Path | None = Opt(None, "--config", "-c", help=CONFIG_HELP),
) -> None:
    """Per rule on unlabelled text: hits, share of documents and claims hit, overlaps, label conflicts.

    Every tactic and actor rule of the loaded packs has a row, those that never fired with 0.
    """
    from ..io.files import atomic_writer, check_output_path
    from ..io.readers import read_inputs
    from ..output.rulestats import rule_stats
    from ..run.extractor import Extractor
    from .evaluate import one_output

    out = one_output(output, out_alias)
    paths, overrides = split_overrides([*paths, *ctx.args])
    try:
        if out is not None:
            check_output_path(out)
        extractor = Extractor(pipeline=config, overrides=overrides, packs=rules or None)
        table = rule_stats(extractor(read_inputs(paths, extractor.config.settings.input)), pack_rules(extractor.nlp))
    except ConfigError as exc:
        fail(exc)
    typer.echo(table.to_string(index=False) if len(table) else "no rule fired")
    if out is not None:
        with atomic_writer(out) as fh:
            table.to_json(fh, orient="records", indent=2) if out.suffix == ".json" else table.to_csv(fh, index=False)


def pack_rules(nlp) -> dict[str, str]:
    """Rule id -> label of every tactic and actor rule the pipeline's packs hold."""
    if "claimx_rules" not in nlp.pipe_names:
        return {}
    return {
        r.item.rule.id: r.item.label
        for r in nlp.get_pipe("claimx_rules").by_order
        if r.item.kind in ("tactic", "actor")
    }


@rules_app.command("suggest", context_settings=OVERRIDES)
def suggest_cmd(
    ctx: typer.Context,
    pred: Path = Arg(..., help="Predicted records (JSONL file or folder), e.g. claimx extract on a dev set."),
    gold: Path = Arg(..., help="Gold mentions: span annotations {doc_id, spans} or records (file or folder)."),
    corpus: list[str] = Opt(
        None,
        "--corpus",
        help="Documents to count each suggestion's new mentions on [default: corpora/ when it exists].",
    ),
    labels: list[str] = Opt(None, "--label", "-l", help="Only these labels (repeatable)."),
    min_group: int = Opt(1, "--min", help="Smallest group of misses worth a suggestion."),
    top: int = Opt(25, "--top", help="Print at most this many suggestions."),
    rules: list[str] = Opt(None, "--rules", "-r", help="Rule packs [default: the configured packs]."),
    config: Path | None = Opt(None, "--config", "-c", help=CONFIG_HELP),
) -> None:
    """Candidate rules for the gold mentions no rule reached, with what each would gain and add.

    Misses are grouped by label and shared head or modifier lemma; each group gets a
    pattern, measured on PRED's documents (misses recovered, new unmatched hits) and
    on the corpus (new mentions). Printed only: nothing is written into a pack.
    """
    from ..gold.evaluate import doc_items
    from ..gold.spans import load_docs
    from ..gold.suggest import suggest
    from ..io.readers import read_inputs
    from ..records.schema import Record
    from ..run.extractor import Extractor

    rest, overrides = split_overrides(ctx.args)
    if rest:
        raise typer.BadParameter(f"unexpected arguments: {' '.join(rest)}")
    try:
        extractor = Extractor(pipeline=config, overrides=overrides, packs=rules or None)
        p_docs, g_docs = load_docs(pred), load_docs(gold)
        records = {d: r for d, r in p_docs.items() if isinstance(r, Record) and d in g_docs}
        if not records:
            raise ConfigError(Errors.E093)
        pred_items = {d: doc_items(r, "tactics") for d, r in records.items()}
        gold_items = {d: doc_items(g_docs[d], "tactics") for d in records}
        paths = corpus or (["corpora"] if Path("corpora").is_dir() else [])
        texts = (inp.text for inp in read_inputs(paths, extractor.config.settings.input) if inp.text) if paths else ()
        found = suggest(
            extractor.nlp,
            extractor.config,
            records,
            gold_items,
            pred_items,
            texts,
            labels=set(labels) if labels else None,
            min_group=min_group,
        )
    except ConfigError as exc:
        fail(exc)
    if not found:
        typer.echo("no missed mention to suggest a rule for")
        return
    where = ", ".join(paths) if paths else "no corpus"
    typer.echo(
        f"{len(found)} suggestion(s); recovered = missed gold mentions it would reach, new_dev = its hits on "
        f"PRED's documents outside gold and predictions, new_corpus = its new mentions on {where}\n"
    )
    for s in found[:top]:
        examples = "; ".join(repr(m.text) for m in s.misses[:3]) + (" ..." if len(s.misses) > 3 else "")
        typer.echo(f"{s.label}  {s.group}  recovered {s.recovered}  new_dev {s.new_dev}  new_corpus {s.new_corpus}")
        typer.echo(f"    misses: {examples}")
        typer.echo(f"    {s.rule_line()}")
    if len(found) > top:
        typer.echo(f"\n... {len(found) - top} more (--top)")
