"""JUnit XML for CI test dashboards (GitLab, Jenkins, Azure): one test case per checked file.

A file "passes" when it has no errors. Each error is a <failure>; warnings and infos go to the test case's
<system-out>, because they do not fail a run either, unless --strict makes warnings fail, when they become
<failure>s too. Counts follow JUnit's meaning: `failures` is the number of failed test cases, not of
<failure> elements, so `tests - failures` is the number of files that passed.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from hipcheck.diagnostics import Diagnostic, Severity
from hipcheck.reporters.base import ReportContext, plain_line
from hipcheck.run_result import RunResult

# Characters XML 1.0 cannot hold at all, even as references; content can smuggle them into messages.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(text: str) -> str:
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _fails(d: Diagnostic, ctx: ReportContext) -> bool:
    return d.severity is Severity.ERROR or (ctx.strict and d.severity is Severity.WARNING)


def report(result: RunResult, ctx: ReportContext) -> str:
    by_path: dict[str, list[Diagnostic]] = {path: [] for path in result.checked}
    for d in result.diagnostics:
        # A finding on a file outside `checked` (rare: a rule reporting on the root) still gets a test case.
        by_path.setdefault(d.path, []).append(d)

    suite = ET.Element("testsuite", name="hipcheck")
    failed = 0
    for path, diagnostics in by_path.items():
        case = ET.SubElement(suite, "testcase", classname="hipcheck", name=_xml_text(path), file=_xml_text(path))
        case.set("time", "0")
        failures = [d for d in diagnostics if _fails(d, ctx)]
        for d in failures:
            element = ET.SubElement(
                case,
                "failure",
                type=d.code,
                message=_xml_text(f"{d.span.line}:{d.span.column}: {d.code} {d.severity.value} {d.message}"),
            )
            element.text = _xml_text(plain_line(d) + (f"\nhelp: {d.fix.description}" if d.fix else ""))
        others = [d for d in diagnostics if not _fails(d, ctx)]
        if others:
            ET.SubElement(case, "system-out").text = _xml_text("\n".join(plain_line(d) for d in others))
        failed += bool(failures)

    errored = 0
    if result.internal_errors:
        # hipcheck itself failed: JUnit's <error> (not <failure>), so dashboards show a broken run.
        case = ET.SubElement(suite, "testcase", classname="hipcheck", name="hipcheck", time="0")
        error = ET.SubElement(case, "error", type="internal", message="hipcheck failed to check everything")
        error.text = _xml_text("\n".join(result.internal_errors))
        errored = 1

    counts = {"tests": str(len(suite)), "failures": str(failed), "errors": str(errored), "skipped": "0", "time": "0"}
    for key, value in counts.items():
        suite.set(key, value)
    suites = ET.Element("testsuites", {"name": "hipcheck", **counts})
    suites.append(suite)
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True)
