#!/usr/bin/env python3
"""Vendor front-end packages from the npm registry into ``yiwang/web/static/vendor``.

No CDN, ever: every browser asset the platform serves is a file in this tree, copied
from the package's published npm tarball and pinned by SHA-256 in a manifest.

The manifest (``yiwang/web/static/vendor/manifest.json``) lists, per package, the exact
version and the files to copy (``src`` inside the tarball's ``package/`` folder,
``dest`` relative to ``vendor/<package>@<version>/``) with the SHA-256 of each copied file.

Usage::

    python tools/vendor.py            # fetch with `npm pack`, copy, verify against the manifest
    python tools/vendor.py --update   # same, but (re)write the hashes into the manifest
    python tools/vendor.py --check    # offline: verify the committed files against the manifest
    python tools/vendor.py --only echarts   # limit fetching to one package

Adding or upgrading a package: edit the manifest (package, version, files with ``src`` and
``dest``; leave ``sha256`` empty), run ``--update``, review the diff, update the templates that
reference the old ``<package>@<version>`` path.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess  # nosec: runs npm with fixed arguments
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parent.parent
VENDOR_DIR = ROOT / "yiwang" / "web" / "static" / "vendor"
MANIFEST = VENDOR_DIR / "manifest.json"


@dataclass
class VendorFile:
    src: str
    dest: str
    sha256: str = ""


@dataclass
class VendorPackage:
    package: str
    version: str
    files: list[VendorFile] = field(default_factory=list)
    purpose: str = ""

    @property
    def spec(self) -> str:
        return f"{self.package}@{self.version}"

    def directory(self, vendor_dir: Path = VENDOR_DIR) -> Path:
        # Scoped packages (@alpinejs/csp) become vendor/@alpinejs/csp@3.x.y/.
        return vendor_dir / self.spec


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(65536), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _safe_relative(value: str, what: str) -> PurePosixPath:
    rel = PurePosixPath(value)
    if rel.is_absolute() or ".." in rel.parts or not rel.parts:
        raise ValueError(f"{what} {value!r} must be a relative path inside the package")
    return rel


def load_manifest(path: Path = MANIFEST) -> list[VendorPackage]:
    data = json.loads(path.read_text(encoding="utf-8"))
    packages = []
    for entry in data["packages"]:
        files = []
        for f in entry["files"]:
            _safe_relative(f["src"], "src")
            _safe_relative(f["dest"], "dest")
            files.append(VendorFile(src=f["src"], dest=f["dest"], sha256=f.get("sha256", "")))
        packages.append(
            VendorPackage(
                package=entry["package"],
                version=entry["version"],
                files=files,
                purpose=entry.get("purpose", ""),
            )
        )
    return packages


def save_manifest(packages: list[VendorPackage], path: Path = MANIFEST) -> None:
    data = {
        "about": "Front-end packages vendored from the npm registry by tools/vendor.py. "
        "Do not edit vendored files by hand; run `python tools/vendor.py --check`.",
        "packages": [
            {
                "package": p.package,
                "version": p.version,
                "purpose": p.purpose,
                "files": [{"src": f.src, "dest": f.dest, "sha256": f.sha256} for f in p.files],
            }
            for p in packages
        ],
    }
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def check(manifest: Path = MANIFEST, vendor_dir: Path | None = None) -> list[str]:
    """Verify committed vendored files against the manifest. Returns a list of problems (empty = ok).

    Also reports files inside a package directory that the manifest does not list, so
    nothing unpinned is served.
    """
    vendor_dir = vendor_dir or manifest.parent
    problems: list[str] = []
    for pkg in load_manifest(manifest):
        directory = pkg.directory(vendor_dir)
        if not directory.is_dir():
            problems.append(f"{pkg.spec}: directory {directory} is missing")
            continue
        expected = set()
        for f in pkg.files:
            target = directory / f.dest
            expected.add(target.resolve())
            if not f.sha256:
                problems.append(f"{pkg.spec}: {f.dest} has no sha256 in the manifest")
            elif not target.is_file():
                problems.append(f"{pkg.spec}: {f.dest} is missing")
            elif (actual := sha256_file(target)) != f.sha256:
                problems.append(
                    f"{pkg.spec}: {f.dest} sha256 {actual} does not match manifest {f.sha256}"
                )
        for extra in sorted(p for p in directory.rglob("*") if p.is_file()):
            if extra.resolve() not in expected:
                problems.append(
                    f"{pkg.spec}: {extra.relative_to(directory)} is not in the manifest"
                )
    return problems


def _npm_pack(spec: str, workdir: Path) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is not installed; install Node.js (Debian: apt-get install npm)")
    result = subprocess.run(  # noqa: S603
        [npm, "pack", spec, "--silent", "--pack-destination", str(workdir)],
        cwd=workdir,
        check=True,
        capture_output=True,
        text=True,
    )
    name = result.stdout.strip().splitlines()[-1]
    tarball = workdir / name
    if not tarball.is_file():
        raise RuntimeError(f"npm pack {spec} did not produce {tarball}")
    return tarball


def _extract(tarball: Path, dest: Path) -> Path:
    with tarfile.open(tarball, "r:gz") as tar:
        tar.extractall(dest, filter="data")
    # npm tarballs put everything under one top folder, normally "package/".
    tops = [p for p in dest.iterdir() if p.is_dir()]
    if len(tops) != 1:
        raise RuntimeError(f"unexpected layout in {tarball.name}: {[p.name for p in tops]}")
    return tops[0]


def fetch(
    packages: list[VendorPackage],
    *,
    update: bool,
    only: set[str] | None = None,
    vendor_dir: Path = VENDOR_DIR,
) -> list[str]:
    """Download, copy and verify. With ``update`` the manifest hashes are rewritten."""
    problems: list[str] = []
    for pkg in packages:
        if only and pkg.package not in only:
            continue
        with tempfile.TemporaryDirectory(prefix="yiwang-vendor-") as tmp:
            tmpdir = Path(tmp)
            tarball = _npm_pack(pkg.spec, tmpdir)
            root = _extract(tarball, tmpdir / "x")
            directory = pkg.directory(vendor_dir)
            if directory.exists():
                shutil.rmtree(directory)
            for f in pkg.files:
                source = root / f.src
                if not source.is_file():
                    problems.append(f"{pkg.spec}: {f.src} is not in the published package")
                    continue
                digest = sha256_file(source)
                if f.sha256 and f.sha256 != digest and not update:
                    problems.append(
                        f"{pkg.spec}: {f.src} from npm has sha256 {digest}, manifest says {f.sha256}"
                    )
                    continue
                target = directory / f.dest
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
                f.sha256 = digest
            print(f"vendored {pkg.spec} ({len(pkg.files)} files) -> {directory.relative_to(ROOT)}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="verify committed files only")
    parser.add_argument("--update", action="store_true", help="rewrite sha256 values")
    parser.add_argument("--only", action="append", help="package name to fetch (repeatable)")
    parser.add_argument("--manifest", type=Path, default=MANIFEST)
    args = parser.parse_args(argv)

    if args.check:
        problems = check(args.manifest)
        for p in problems:
            print(f"vendor: {p}", file=sys.stderr)
        if not problems:
            print(f"vendor: {len(load_manifest(args.manifest))} packages verified")
        return 1 if problems else 0

    packages = load_manifest(args.manifest)
    problems = fetch(
        packages,
        update=args.update,
        only=set(args.only) if args.only else None,
        vendor_dir=args.manifest.parent,
    )
    if args.update:
        save_manifest(packages, args.manifest)
    for p in problems:
        print(f"vendor: {p}", file=sys.stderr)
    if not problems:
        problems = check(args.manifest)
        for p in problems:
            print(f"vendor: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
