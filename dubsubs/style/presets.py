"""Delivery-spec presets: the limits a subtitle file is made to fit and checked against.

Every figure below names where it comes from. Where a figure could not be confirmed from
the published guide during development it says so; such values are best guesses that
any option can override (``--max-cps`` etc.).

Sources
-------
[NFX-GEN]  Netflix Partner Help Center, "Timed Text Style Guide: General Requirements"
           (partnerhelp.netflixstudios.com, article 215758617): minimum duration 5/6 s
           per event, maximum 7 s, 2 lines maximum, at least 2 frames between events
           (the frame gap, listed in the versions of that page we read).
[NFX-EN]   Netflix "English (USA) Timed Text Style Guide": 42 characters per line; reading
           speed up to 20 characters/second for adult programmes, 17 for children's.
           The 42-character figure is confirmed by the Netflix "English Template Timed
           Text Style Guide" (backlothelp.netflix.com, article 219375728). The 20/17 cps
           figures are the ones the dubsubs issue quotes for English (USA); we could not
           re-read that page during development. The English *template* guide gives
           17 cps adult / 13 cps children instead, which are the figures Netflix's other
           Latin-script language guides commonly use, and the ones we apply to them.
[NFX-JA]   Netflix "Japanese Timed Text Style Guide" (article 215767517): horizontal
           subtitles at most 13 full-width characters per line (vertical: 11); half-width
           characters count 0.5. Reading speed: 4 characters/second is the long-standing
           Japanese subtitling rule (Toyokura & Yamada, "Validating Character Limits in
           Subtitle Translation into Japanese", 2017); we could not confirm the figure
           Netflix's current Japanese guide sets, so 4 cps is an assumption.
[NFX-KO]   Netflix "Korean Timed Text Style Guide" (article 216001127): 16 characters per
           line (Latin characters, spaces, punctuation count 0.5). Reading speed 12 cps:
           NOT verified against the guide; an assumption.
[NFX-ZH]   Netflix "Simplified Chinese (PRC) Timed Text Style Guide" (article 215986007):
           16 characters per line. Traditional Chinese assumed the same. Reading speed
           9 cps: NOT verified against the guide; an assumption.
[BBC]      BBC Subtitle Guidelines (bbc.github.io/subtitle-guidelines, also at
           bbc.co.uk/accessibility/forproducts/guides/subtitles): line length 68% of the
           width of a 16:9 picture, which is about 37 characters (the figure subtitling
           tools use for the BBC style; the guide itself states the width); two lines
           (three only when no important picture is hidden); reading rate 160-180 words
           per minute, and a minimum of about 0.3 s per word (its example: 1.2 s for a
           4-word subtitle). As a character rate we take 180 wpm at about 6 characters
           per word with its space: 18 cps (our conversion, not a BBC figure). Minimum
           duration 1 s: our rounding of 0.3 s/word for the shortest (3-word) subtitles.
           The guide sets no maximum duration. It asks that a subtitle not stay on screen
           more than 1.5 s after the speech ends (section 5.2).
[BBC-VAL]  The BBC's own validator for EBU-TT-D deliveries, bbc/ttml-validator on GitHub
           (``validate-ttml -flavour bbc``), which implements the technical requirements
           of [BBC]. Its timing check: a gap between subtitles is either zero or at least
           0.8 s (anything between is an error), and a gap under 1.5 s is a warning. Its
           styling checks, which the ``bbc`` preset's TTML options meet: computed font
           family exactly "ReithSans, Arial, Roboto, proportionalSansSerif, default";
           font size 6-7.5% of the frame height (ours: one cell of 15 rows, 6.67%); an
           explicit line height (a warning when ``normal``) within 1.2x those sizes (ours
           120%); ebutts:linePadding 0.3c-0.8c (ours 0.5c); itts:fillLineGap true; span
           background opaque black (#000000); text white, yellow, cyan or green; region
           with tts:overflow="visible" and inside 9.5%-91.5% across, 5%-95% down. Absent
           ttm:copyright and ittp:activeArea are warnings. It also requires at least two
           subtitles to start in the first 23 minutes.

Character counting: every character counts 1, including spaces and punctuation (line
breaks do not). That over-counts half-width characters in Japanese and Korean, where
Netflix counts them as 0.5, so our check is stricter there, never looser.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from fractions import Fraction
from typing import Any, Literal

from ..errors import OptionError
from ..formats.ttml.writer import TtmlOptions
from ..timefmt import DEFAULT_FPS, parse_fps, timecode_to_frames

DashStyle = Literal["-", "- "]



@dataclass(frozen=True, slots=True)
class LanguageLimits:
    """Per-language replacements for a preset's limits; ``None`` keeps the preset's."""

    max_chars_per_line: int | None = None
    max_cps: float | None = None
    dual_speaker_dash: DashStyle | None = None


#: Fields of :class:`Preset` a language variant may replace.
_VARIANT_FIELDS = ("max_chars_per_line", "max_cps", "dual_speaker_dash")


@dataclass(frozen=True, slots=True)
class Preset:
    """Limits for one delivery spec. ``None`` means "no limit" for that rule.

    ``segment`` says whether long items are split into several cues (and cues too short
    to read merged with a neighbour); ``timing`` whether the timing pass (frame snapping,
    gaps, durations) runs. ``max_start_delay_ms`` is how far that pass may delay a cue's
    start to give the cue before it enough time (0: starts never move). ``variants`` maps a language
    (primary subtag ``"ja"``, or a full tag ``"zh-TW"``) to replacement limits, applied by
    :meth:`for_language`; ``overridden`` names fields the user set explicitly, which a
    language variant never replaces.
    """

    name: str
    max_chars_per_line: int | None = None
    max_lines: int | None = None
    max_cps: float | None = None
    min_duration_ms: int | None = None
    max_duration_ms: int | None = None
    min_gap_frames: int = 0
    close_gap_ms: int = 0
    max_start_delay_ms: int = 0
    min_open_gap_ms: int = 0
    dual_speaker_dash: DashStyle = "-"
    segment: bool = False
    timing: bool = False
    fps: Fraction = DEFAULT_FPS
    offset_ms: int = 0
    start_timecode: str | None = None
    description: str = ""
    variants: tuple[tuple[str, LanguageLimits], ...] = ()
    writer_options: tuple[tuple[str, Any], ...] = ()
    overridden: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        for name in ("max_chars_per_line", "max_lines", "min_duration_ms", "max_duration_ms"):
            value = getattr(self, name)
            if value is not None and (type(value) is not int or value < 1):
                raise OptionError(f"{name} must be a positive whole number, got {value!r}")
        if self.max_cps is not None and not self.max_cps > 0:
            raise OptionError(f"max_cps must be positive, got {self.max_cps!r}")
        if type(self.min_gap_frames) is not int or self.min_gap_frames < 0:
            raise OptionError(f"min_gap_frames must be >= 0, got {self.min_gap_frames!r}")
        if type(self.close_gap_ms) is not int or self.close_gap_ms < 0:
            raise OptionError(f"close_gap_ms must be >= 0, got {self.close_gap_ms!r}")
        if type(self.max_start_delay_ms) is not int or self.max_start_delay_ms < 0:
            raise OptionError(f"max_start_delay_ms must be >= 0, got {self.max_start_delay_ms!r}")
        if type(self.min_open_gap_ms) is not int or self.min_open_gap_ms < 0:
            raise OptionError(f"min_open_gap_ms must be >= 0, got {self.min_open_gap_ms!r}")
        if (
            self.min_duration_ms is not None
            and self.max_duration_ms is not None
            and self.min_duration_ms > self.max_duration_ms
        ):
            raise OptionError(
                f"min duration {self.min_duration_ms} ms exceeds max duration {self.max_duration_ms} ms"
            )
        if self.max_duration_ms is not None and self.max_duration_ms * self.fps < 1000:
            raise OptionError(f"max duration {self.max_duration_ms} ms is shorter than one frame at "
                              f"{float(self.fps):g} fps: no cue could be shown")
        if self.dual_speaker_dash not in ("-", "- "):
            raise OptionError(f"dual_speaker_dash must be '-' or '- ', got {self.dual_speaker_dash!r}")

    @property
    def is_lossless(self) -> bool:
        """True when conforming changes nothing: no segmentation, timing or shift."""
        return not self.segment and not self.timing and self.offset_ms == 0 and self.start_timecode is None

    def for_language(self, language: str | None) -> Preset:
        """This preset with the limits for ``language`` (a BCP-47 tag) applied.

        The most specific variant wins (``zh-TW`` before ``zh``); fields the user set
        explicitly are kept.
        """
        if not language or not self.variants:
            return self
        tag = language.lower()
        primary = tag.split("-")[0]
        table = {key.lower(): limits for key, limits in self.variants}
        limits = table.get(tag) or table.get(primary)
        if limits is None:
            limits = table.get("*")
        if limits is None:
            return self
        changes: dict[str, Any] = {}
        for name in _VARIANT_FIELDS:
            value = getattr(limits, name)
            if value is not None and name not in self.overridden:
                changes[name] = value
        return replace(self, **changes) if changes else self

    def options_for(self, fmt: str) -> Any | None:
        """The writer options this spec sets for format ``fmt``, or ``None``."""
        for name, options in self.writer_options:
            if name == fmt:
                return options
        return None

    def with_writer_options(self, fmt: str, options: Any) -> Preset:
        """A copy whose writer gets ``options`` for format ``fmt``."""
        kept = tuple(pair for pair in self.writer_options if pair[0] != fmt)
        return replace(self, writer_options=(*kept, (fmt, options)))

    def with_overrides(self, **overrides: Any) -> Preset:
        """A copy with ``overrides`` applied (``None`` values are ignored); a misspelt
        name raises :class:`OptionError`."""
        known = {f.name for f in fields(self)} - {"variants", "overridden", "name", "writer_options"}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise OptionError(
                f"unknown preset option(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
            )
        changes = {k: v for k, v in overrides.items() if v is not None}
        if not changes:
            return self
        if "fps" in changes:
            changes["fps"] = parse_fps(changes["fps"])
        return replace(self, **changes, overridden=self.overridden | frozenset(changes))

    def describe(self) -> str:
        parts = [
            f"{self.max_chars_per_line or '-'} chars/line",
            f"{self.max_lines or '-'} lines",
            f"{self.max_cps or '-'} cps",
            f"duration {self.min_duration_ms or 0}-{self.max_duration_ms or '-'} ms",
            f"gap {self.min_gap_frames} frames" + (
                f" (or 0, else >= {self.min_open_gap_ms} ms)" if self.min_open_gap_ms else ""),
            f"fps {float(self.fps):g}",
        ]
        return f"{self.name}: " + ", ".join(parts)


_CJK_NETFLIX = (
    # [NFX-JA] 13 full-width chars per line; 4 cps is the traditional rule (see above).
    ("ja", LanguageLimits(max_chars_per_line=13, max_cps=4.0)),
    # [NFX-KO] 16 chars per line; 12 cps unverified.
    ("ko", LanguageLimits(max_chars_per_line=16, max_cps=12.0, dual_speaker_dash="- ")),
    # [NFX-ZH] 16 chars per line; 9 cps unverified.
    ("zh", LanguageLimits(max_chars_per_line=16, max_cps=9.0)),
)

NONE = Preset(
    name="none",
    description="one cue per dialogue item, text and timing untouched (lossless)",
)

NETFLIX = Preset(
    name="netflix",
    max_chars_per_line=42,  # [NFX-EN]
    max_lines=2,  # [NFX-GEN]
    max_cps=17.0,  # [NFX-EN] template figure, used for languages without their own entry
    min_duration_ms=834,  # [NFX-GEN] 5/6 s = 833.3 ms, rounded up to whole ms
    max_duration_ms=7000,  # [NFX-GEN]
    min_gap_frames=2,  # [NFX-GEN]
    close_gap_ms=500,  # common practice: gaps under half a second are closed
    # Ours, not Netflix's: a cue too short to read may take up to half a second from the
    # start of the next one (never more than that cue can spare; see timing.retime).
    max_start_delay_ms=500,
    # [NFX-EN] a hyphen without a space before each speaker's line (as the issue states it;
    # not re-read). Korean uses a hyphen and a space: confirmed in [NFX-KO].
    dual_speaker_dash="-",
    segment=True,
    timing=True,
    description="Netflix Timed Text Style Guide, adult programmes",
    variants=(
        ("en", LanguageLimits(max_cps=20.0)),  # [NFX-EN] adult, as the issue quotes it
        *_CJK_NETFLIX,
    ),
)

NETFLIX_CHILDREN = replace(
    NETFLIX,
    name="netflix-children",
    max_cps=13.0,  # [NFX-EN] template, children's programmes
    description="Netflix Timed Text Style Guide, children's programmes",
    variants=(
        ("en", LanguageLimits(max_cps=17.0)),  # [NFX-EN] children, as the issue quotes it
        ("ja", LanguageLimits(max_chars_per_line=13, max_cps=3.0)),  # assumption, lower than adult
        ("ko", LanguageLimits(max_chars_per_line=16, max_cps=9.0, dual_speaker_dash="- ")),
        ("zh", LanguageLimits(max_chars_per_line=16, max_cps=7.0)),  # assumption
    ),
)

#: [BBC-VAL] styling: each value is the one the validator requires or accepts.
BBC_TTML = TtmlOptions(
    font_family="ReithSans, Arial, Roboto, proportionalSansSerif, default",
    background_color="#000000",
    line_height="120%",
    line_padding="0.5c",
    fill_line_gap=True,
    region_overflow="visible",
    # The area the subtitles may cover: the one region (IMSC 1 ittp:activeArea).
    active_area="10% 10% 80% 80%",
)

BBC = Preset(
    name="bbc",
    max_chars_per_line=37,  # [BBC] 68% of a 16:9 picture, about 37 characters
    max_lines=2,  # [BBC] two lines; three only in exceptional cases
    max_cps=18.0,  # [BBC] 180 wpm upper rate, at ~6 characters per word incl. the space
    min_duration_ms=1000,  # [BBC] 0.3 s/word, rounded for 3-word subtitles (ours)
    max_duration_ms=None,  # [BBC] sets no hard maximum
    min_gap_frames=0,  # [BBC-VAL] subtitles may follow each other with no gap at all
    min_open_gap_ms=800,  # [BBC-VAL] a gap that is not zero is at least 0.8 s
    # [BBC-VAL] a gap under 1.5 s is a warning, so gaps under 1.5 s are closed to zero: the
    # subtitle stays up to 1.5 s after its speech, the most [BBC] 5.2 allows.
    close_gap_ms=1500,
    max_start_delay_ms=500,  # ours, as for netflix
    dual_speaker_dash="- ",  # BBC marks speakers by colour, not dashes; a spaced dash if used
    segment=True,
    timing=True,
    description="BBC Subtitle Guidelines, as the BBC's ttml-validator checks them",
    writer_options=(("ttml", BBC_TTML),),
)

PRESETS: dict[str, Preset] = {p.name: p for p in (NONE, NETFLIX, NETFLIX_CHILDREN, BBC)}


def get_preset(name: str = "none", **overrides: Any) -> Preset:
    """The preset called ``name`` with ``overrides`` (``max_cps=15``, ``fps="29.97"``...)
    applied. ``None`` values are ignored; an unknown name or option raises
    :class:`~dubsubs.errors.OptionError`."""
    try:
        preset = PRESETS[name.lower()]
    except KeyError:
        raise OptionError(f"unknown preset {name!r}; choose from {', '.join(PRESETS)}") from None
    preset = preset.with_overrides(**overrides)
    limit_names = {
        "max_chars_per_line",
        "max_lines",
        "max_cps",
        "min_duration_ms",
        "max_duration_ms",
        "min_gap_frames",
        "close_gap_ms",
    }
    if preset.name == "none" and limit_names & preset.overridden:
        # Limits given without a preset: apply them, with segmentation and timing.
        preset = replace(preset, name="custom", segment=True, timing=True)
    return preset


def preset_from_options(name: str | None = None, fps: str | float | Fraction | None = None,
                        **overrides: Any) -> Preset:
    """Option values -> a :class:`Preset`; ``None`` means "not given". The keywords are the
    :class:`Preset` field names (``min_gap_frames``, ``max_chars_per_line``...), the same
    names the CLI options carry; a misspelt one raises :class:`OptionError`."""
    preset = get_preset(name or "none", fps=None if fps is None else parse_fps(fps), **overrides)
    if preset.start_timecode is not None:
        timecode_to_frames(preset.start_timecode, preset.fps)  # validate now, not mid-run
    return preset
