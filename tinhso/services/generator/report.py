"""What a generation run reports, and its error."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class GenerationReport:
    dossiers: int = 0
    events: int = 0
    pauses: int = 0
    applicants: int = 0
    procedures_added: int = 0
    agencies_added: int = 0
    stat_rows: int = 0
    applicant_years: int = 0
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        t = ", ".join(f"{k} {v:.1f}s" for k, v in self.timings.items())
        return (
            f"{self.dossiers} hồ sơ, {self.events} sự kiện, {self.pauses} lần tạm dừng, "
            f"{self.applicants} người nộp, {self.procedures_added} thủ tục thêm, "
            f"{self.agencies_added} cơ quan tiếp nhận thêm, {self.stat_rows} dòng thống kê, "
            f"{self.applicant_years} người nộp-năm; {self.seconds:.1f}s ({t})"
        )


class GeneratorError(Exception):
    """The database is not in a state the generator can work on (message in Vietnamese)."""
