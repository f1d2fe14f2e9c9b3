import subprocess
import sys

from course.doctor import (
    ABSENT,
    BROKEN,
    MISSING,
    OK,
    REQUIRED_PACKAGES,
    Package,
    check_package,
    check_python,
    check_solidity_compiler,
    diagnose,
)


def test_this_machine_is_ready_and_doctor_exits_0(course_cli):
    done = subprocess.run([*course_cli, "doctor"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Ready: every required piece is here." in done.stdout
    for package in REQUIRED_PACKAGES:
        assert package.dist in done.stdout


def test_a_missing_package_is_reported_with_the_command_that_fixes_it():
    report = diagnose(packages=(Package("no-such-course-dep", "no_such_course_dep", "testing"),))
    assert not report.ok
    (problem,) = report.problems
    assert problem.status == MISSING and problem.item == "no-such-course-dep"
    assert "python3 start.py" in problem.fix
    assert "pip install -c constraints.txt no-such-course-dep" in problem.fix
    assert "Not ready: 1 required piece(s)" in report.summary()


def test_a_package_that_crashes_on_import_is_reported_not_raised(tmp_path, monkeypatch):
    (tmp_path / "crashy").mkdir()
    (tmp_path / "crashy" / "__init__.py").write_text("raise RuntimeError('half-installed')\n")
    dist_info = tmp_path / "crashy-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: crashy\nVersion: 1.0\n")
    monkeypatch.syspath_prepend(str(tmp_path))

    finding = check_package(Package("crashy", "crashy", "testing"))
    assert finding.status == BROKEN
    assert "1.0 does not import (RuntimeError: half-installed)" in finding.detail


def test_a_package_that_calls_exit_on_import_is_reported_too(tmp_path, monkeypatch):
    (tmp_path / "exity.py").write_text("import sys\nsys.exit('no')\n")
    dist_info = tmp_path / "exity-2.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: exity\nVersion: 2.0\n")
    monkeypatch.syspath_prepend(str(tmp_path))

    assert check_package(Package("exity", "exity", "testing")).status == BROKEN


def test_an_unsupported_python_is_a_problem_with_a_fix():
    assert check_python((3, 11)).status == OK
    old = check_python((3, 8))
    assert old.is_problem and "3.8 is not supported" in old.detail and "python3.11" in old.fix
    assert check_python((3, 10)).is_problem, "numpy 2.4 (pinned) needs Python 3.11+"
    assert check_python((3, 13)).is_problem


def test_doctor_reports_optional_tools_without_failing():
    items = {finding.item: finding for finding in diagnose(packages=()).findings}
    for optional in ("GPU", "Solidity compiler", "Ethereum node", "Node.js"):
        assert not items[optional].required
    assert sys.version.split()[0] in items["Python"].detail


def test_doctor_names_the_compiler_in_use_first(monkeypatch):
    from course.evm import compiler

    found = [compiler.Compiler("solc-js", "0.8.37"), compiler.Compiler("py-solc-x", "0.8.30")]
    monkeypatch.setattr(compiler, "available_compilers", lambda: found)
    finding = check_solidity_compiler()
    assert finding.status == OK
    assert finding.detail == ("in use: solc-js 0.8.37 (node_modules/solc, through Node.js); "
                              "also py-solc-x 0.8.30")


def test_without_a_compiler_doctor_gives_the_command_that_gets_one(monkeypatch):
    from course.evm import compiler

    monkeypatch.setattr(compiler, "available_compilers", lambda: [])
    finding = check_solidity_compiler()
    assert finding.status == ABSENT and not finding.is_problem
    assert "npm install" in finding.fix and "solcx.install_solc('0.8.37')" in finding.fix


def test_a_broken_compiler_install_is_reported_not_raised(monkeypatch):
    from course.evm import compiler

    def broken():
        raise OSError("node crashed")

    monkeypatch.setattr(compiler, "available_compilers", broken)
    assert check_solidity_compiler().status == BROKEN
