"""An import-linter contract type: feature apps meet only at their declared interfaces.

The built-in contracts say which packages may import which; this one says *what* of another
feature app a module may import. Each feature app's interface is its ``actions``, ``queries``
and ``models`` modules (or packages), plus the modules listed in ``extra_interfaces``; views,
forms, templates tags, tasks and helpers stay private to their app. Registered in pyproject.toml
under ``[tool.importlinter] contract_types``.
"""

from __future__ import annotations

import grimp
from importlinter import Contract, ContractCheck, fields, output
from importlinter.application import contract_utils


class InterfacesContract(Contract):
    type_name = "interfaces"

    apps = fields.ListField(subfield=fields.StringField())
    interfaces = fields.ListField(subfield=fields.StringField())
    extra_interfaces = fields.ListField(subfield=fields.StringField(), required=False)
    ignore_imports = fields.SetField(subfield=fields.ImportExpressionField(), required=False)

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        removal = contract_utils.remove_ignored_imports_and_report(
            graph=graph,
            ignore_imports=self.ignore_imports,  # type: ignore[arg-type]
            unmatched_alerting=contract_utils.AlertLevel.ERROR,
        )
        apps: list[str] = list(self.apps)  # type: ignore[call-overload]
        public = {
            f"{app}.{name}"
            for app in apps
            for name in self.interfaces  # type: ignore[attr-defined]
        } | set(self.extra_interfaces or [])  # type: ignore[call-overload]
        broken = []
        for importer in sorted(graph.modules):
            source = _app_of(importer, apps)
            if source is None:
                continue
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                target = _app_of(imported, apps)
                if target is None or target == source or _within(imported, public):
                    continue
                lines = [
                    d["line_number"]
                    for d in graph.get_import_details(importer=importer, imported=imported)
                ]
                broken.append((importer, imported, lines))
        return ContractCheck(
            kept=not broken,
            warnings=list(removal.warnings),
            metadata={"broken": broken},
        )

    def render_broken_contract(self, check: ContractCheck) -> None:
        for importer, imported, lines in check.metadata["broken"]:
            where = ", ".join(f"l.{n}" for n in lines)
            output.print_error(f"{importer} -> {imported} ({where}): not an interface")
        output.new_line()
        output.print(
            "Import the other app's actions, queries or models, or declare the module in "
            "extra_interfaces if it is meant to be used from outside (CONTRIBUTING.md)."
        )


def _app_of(module: str, apps: list[str]) -> str | None:
    return next((app for app in apps if module == app or module.startswith(app + ".")), None)


def _within(module: str, packages: set[str]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)
