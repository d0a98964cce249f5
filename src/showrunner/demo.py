"""Prepare the demo show's generated material: the raw conversation, bumper, voice sample, artwork.

Run as `python -m showrunner.demo [SHOW_DIR]`; files that already exist are left alone.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from . import atomic
from .synth import Line, interview_script, speak
from .synth.speech import GUEST_VOICE, HOST_VOICE

HOST, GUEST = "Jason Reed", "Mary Chen"
EPISODE_ID = "rise-and-shine"


def prepare(root: Path) -> list[Path]:
    """Generate whatever of the demo's audio and artwork is missing; return what was written."""
    voices = {HOST: HOST_VOICE, GUEST: GUEST_VOICE}
    wanted = {
        root / "episodes" / EPISODE_ID / "raw.wav":
            lambda: speak(interview_script(HOST, GUEST, show="The Long Game"), voices).wav,
        root / "audio" / "welcome-back.wav": lambda: speak([Line(
            HOST, "Welcome back to The Long Game. This episode continues my conversation with "
                  "Mary Chen from yesterday. Her links are on the episode page.")], voices,
            pause=0.3).wav,
        root / "audio" / "jason-sample.wav": lambda: speak([Line(
            HOST, "This is Jason Reed, recording a short sample of my voice so that showrunner "
                  "can always tell me apart from my guests. One, two, three, testing.")], voices,
            pause=0.3).wav,
    }
    written = []
    for target, make in wanted.items():
        if not target.exists():
            atomic.write_bytes(target, make().read_bytes())
            written.append(target)
    artwork = root / "artwork.jpg"
    if not artwork.exists():
        atomic.write_bytes(artwork, artwork_jpeg("The Long Game"))
        written.append(artwork)
    return written


def artwork_jpeg(title: str) -> bytes:
    """A 1400 px square RGB JPEG cover, drawn here so no binary is committed."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (1400, 1400), (33, 52, 72))
    draw = ImageDraw.Draw(image)
    for i in range(0, 1400, 70):
        draw.line([(0, i), (i, 0)], fill=(44, 70, 96), width=18)
    draw.ellipse([350, 350, 1050, 1050], fill=(236, 170, 72))
    try:
        font = ImageFont.load_default(size=120)
    except TypeError:  # Pillow < 10.1 has no sized default font
        font = ImageFont.load_default()
    draw.text((700, 1200), title, fill=(250, 246, 238), font=font, anchor="mm")
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=88)
    return out.getvalue()


if __name__ == "__main__":
    for path in prepare(Path(sys.argv[1] if len(sys.argv) > 1 else ".")):
        print(f"generated {path}")
