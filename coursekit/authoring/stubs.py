"""The stub preprocessor: nbgrader's ClearSolutions, with code stubs that name the exercise and what to implement.

Imported only by the `nbgrader generate_assignment` subprocess (coursekit.authoring.release.PREPROCESSORS).
"""
from __future__ import annotations

import re

from nbgrader.preprocessors import ClearSolutions

from coursekit import notebook as nbk


class NamedStubs(ClearSolutions):
    """ClearSolutions whose code stub raises NotImplementedError naming the exercise and what to implement."""

    def _replace_solution_region(self, cell, language):
        if cell.cell_type != "code" or language != "python":
            return super()._replace_solution_region(cell, language)
        gid = nbk.grade_id(cell) or "?"
        lines = cell.source.split("\n")
        new_lines, in_solution, replaced = [], False, False
        for i, line in enumerate(lines):
            if self.begin_solution_delimeter in line:
                if in_solution:
                    raise RuntimeError("encountered nested begin solution statements")
                in_solution = replaced = True
                indent = re.match(r"\s*", line).group(0)
                new_lines += [indent + s for s in nbk.stub_lines(gid, nbk.enclosing_name(lines, i))]
            elif self.end_solution_delimeter in line:
                in_solution = False
            elif not in_solution:
                new_lines.append(line)
        if in_solution:
            raise RuntimeError("no end solution statement found")
        cell.source = "\n".join(new_lines)
        return replaced
