"""The CERT checklist as findings: the items an exercise record can answer, required under the "cert" profile.

CERT (Consensus on Exercise Reporting Template; Slade et al., Phys Ther 2016;96(10):1514-1524,
doi:10.2522/ptj.20150668) has 16 items. An exercise record can answer items 1 (equipment), 4
(supervision), 7a/7b (progression), 12 (setting) and 13 (the dose: frequency, intensity, rest,
programme length). The others describe a trial's delivery (instructor qualifications, motivation
strategies, non-exercise components, adverse events, tailoring, fidelity) and are not asked of a record.
Under the default "basic" profile none of these rules reports anything: a consumer site is not held
to a research standard (`prescription-profile` in [tool.hipcheck]).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hipcheck.context import Context
from hipcheck.diagnostics import Finding, Severity
from hipcheck.loader.records import Record
from hipcheck.rules.registry import record_check, rule

EXERCISE = ("exercise",)

CERT_DOSE = rule(
    "HC801",
    "cert-missing-dose",
    Severity.WARNING,
    """
    Under the CERT profile, an exercise's dose lacks frequency, intensity, rest or programme length.

    ## What it does
    With `prescription-profile = "cert"`, reports each of `dosage.frequency`, `dosage.intensity`,
    `dosage.rest_seconds` and `dosage.duration_weeks` that is missing (CERT item 13, the detailed
    description of the exercise intervention). Rest between sets is not asked of a one-set dose.
    Reports nothing under the default "basic" profile.

    ## Why it matters
    Sets and repetitions alone do not let a reader, or a clinician, repeat a prescription: how often,
    how hard, how long to rest and for how many weeks are what make it a dose.

    ## Example
    ```yaml
    dosage: {sets: 3, reps: 10}
    ```

    ## Fix
    ```yaml
    dosage:
      sets: 3
      reps: 10
      rest_seconds: 60
      frequency: 3          # sessions per week
      intensity: {rpe: 6}
      duration_weeks: 6
    ```
    """,
    kinds=EXERCISE,
)

CERT_PROGRESSION = rule(
    "HC802",
    "cert-missing-progression",
    Severity.WARNING,
    """
    Under the CERT profile, an exercise says neither when nor to what it progresses.

    ## What it does
    With `prescription-profile = "cert"`, reports an exercise with no `progression` (ids of harder
    exercises, CERT item 7b) and no `progression_criteria` (the decision rule, item 7a).
    Reports nothing under the default "basic" profile.

    ## Why it matters
    A dose that never changes stops working; readers need to know when to make it harder and how.

    ## Example
    ```yaml
    id: hip-bridges
    dosage: {sets: 2, reps: 10}
    ```

    ## Fix
    ```yaml
    progression: [single-leg-hip-bridges]
    progression_criteria: Three sets of 15 with no pain, two sessions in a row.
    ```
    """,
    kinds=EXERCISE,
)

CERT_DELIVERY = rule(
    "HC803",
    "cert-missing-delivery",
    Severity.WARNING,
    """
    Under the CERT profile, an exercise does not say whether it is supervised, or where it is done.

    ## What it does
    With `prescription-profile = "cert"`, reports a missing `supervision` (supervised, unsupervised or
    either; CERT item 4) and a missing `setting` (home, gym, clinic, ...; item 12), each on its own.
    Reports nothing under the default "basic" profile.

    ## Why it matters
    The same exercise done alone at home and under a physiotherapist's eye are different interventions.

    ## Example
    ```yaml
    id: deadlifts
    equipment: [barbell]
    ```

    ## Fix
    ```yaml
    supervision: supervised
    setting: [gym]
    ```
    """,
    kinds=EXERCISE,
)

CERT_EQUIPMENT = rule(
    "HC804",
    "cert-missing-equipment-details",
    Severity.WARNING,
    """
    Under the CERT profile, an exercise with equipment does not describe it.

    ## What it does
    With `prescription-profile = "cert"`, reports an exercise whose `equipment` lists anything other
    than `none` but which has no `equipment_details` (CERT item 1, the type of exercise equipment).
    Reports nothing under the default "basic" profile.

    ## Why it matters
    "A band" can be any of six resistances; "a box" any height. The detail is part of the dose.

    ## Example
    ```yaml
    equipment: [band]
    ```

    ## Fix
    ```yaml
    equipment: [band]
    equipment_details: A loop band of medium-heavy resistance, around both ankles.
    ```
    """,
    kinds=EXERCISE,
)

# dosage field -> what a finding calls it
_DOSE_ITEMS = (
    ("frequency", "frequency (sessions per week)"),
    ("intensity", "intensity"),
    ("rest_seconds", "rest between sets (rest_seconds)"),
    ("duration_weeks", "programme length (duration_weeks)"),
)


def _cert(ctx: Context) -> bool:
    return ctx.config.prescription_profile == "cert"


def _present(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    return value is not None and value != [] and value != {}


def _where(record: Record, key: str) -> Any:
    """The key a missing field belongs under, or the record's start when that key is missing too."""
    return record.key_span((key,)) if key in record.data else record.span((key,))


@record_check(CERT_DOSE)
def check_dose(record: Record, ctx: Context) -> Iterator[Finding]:
    if not _cert(ctx):
        return
    raw = record.data.get("dosage")
    dosage = raw if isinstance(raw, dict) else {}
    one_set = dosage.get("sets") == 1
    for field, label in _DOSE_ITEMS:
        if field == "rest_seconds" and one_set:
            continue  # no rest between sets in a one-set dose
        if not _present(dosage.get(field)):
            yield Finding(f"CERT item 13: the dose gives no {label}", _where(record, "dosage"))


@record_check(CERT_PROGRESSION)
def check_progression(record: Record, ctx: Context) -> Iterator[Finding]:
    if not _cert(ctx):
        return
    if _present(record.data.get("progression")) or _present(record.data.get("progression_criteria")):
        return
    yield Finding(
        "CERT item 7: no progression (harder exercises) and no progression_criteria (when to progress)",
        record.span(("progression",)),
    )


@record_check(CERT_DELIVERY)
def check_delivery(record: Record, ctx: Context) -> Iterator[Finding]:
    if not _cert(ctx):
        return
    if not _present(record.data.get("supervision")):
        yield Finding("CERT item 4: does not say whether it is supervised (supervision)", record.span(("supervision",)))
    if not _present(record.data.get("setting")):
        yield Finding("CERT item 12: does not say where it is done (setting)", record.span(("setting",)))


@record_check(CERT_EQUIPMENT)
def check_equipment_details(record: Record, ctx: Context) -> Iterator[Finding]:
    if not _cert(ctx):
        return
    equipment = record.data.get("equipment")
    used = [e for e in equipment if isinstance(e, str) and e != "none"] if isinstance(equipment, list) else []
    if used and not _present(record.data.get("equipment_details")):
        yield Finding(
            f"CERT item 1: equipment ({', '.join(used)}) is not described (equipment_details)",
            record.key_span(("equipment",)),
        )
