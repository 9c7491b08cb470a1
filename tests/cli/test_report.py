"""`report` option handling; the report's content is covered in tests/test_report.py."""


def test_report_format_comes_from_the_option_or_the_file_name(run, deployment, tmp_path):
    code, _, err = run("report", "--month", "2027-03", "-o", str(tmp_path / "r.txt"), "--root", str(deployment.root))
    assert code == 2 and "give --format csv|html|pdf or a file ending in one of them" in err
    out = tmp_path / "r.txt"
    code, text, _ = run("report", "--month", "2027-03", "--format", "csv", "-o", str(out), "--root",
                        str(deployment.root))
    assert code == 0 and text.strip() == f"{out}: 0 played, 0 missed, 0 failed, 0 printed"
    assert out.read_text(encoding="utf-8").strip()
