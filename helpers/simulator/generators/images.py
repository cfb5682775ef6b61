"""Deterministic pictures for the image models: a composed scene, then a look per style preset.

Not a diffusion model: a small scene painter. The prompt picks a theme (sunset, night, ocean,
forest, city, mountains, snow, desert, space, studio) and a subject (sofa, lighthouse, house,
tree, robot, cat, or an abstract monument); the prompt and seed place every element; words in
the negative prompt remove the elements they name; the style preset repaints the result (pixel
art, line art, anime, analog film, neon punk, ...). `cfg_scale` sets how strongly colours
follow the prompt and few `steps` leave noise, as both do in a real sampler. Every image carries
a small "SIMULATED" mark drawn from a built-in bitmap font, so no font file can change a pixel.

Same request -> same pixels. A 1024x1024 image takes a few tens of milliseconds to paint.
"""

from __future__ import annotations

import base64
import colorsys
import hashlib
import io
import re
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageEnhance, ImageFilter, ImageOps

STYLES = (
    "3d-model",
    "analog-film",
    "anime",
    "cinematic",
    "comic-book",
    "digital-art",
    "enhance",
    "fantasy-art",
    "isometric",
    "line-art",
    "low-poly",
    "modeling-compound",
    "neon-punk",
    "origami",
    "photographic",
    "pixel-art",
    "tile-texture",
)

# time of day and place -> words that call them up (English and a few Chinese), in priority order
TIMES = {
    "night": ("night", "moon", "midnight", "starry", "stars", "夜", "月", "星空"),
    "sunset": ("sunset", "sunrise", "dusk", "dawn", "evening", "golden hour", "日落", "黄昏", "夕阳"),
}
PLACES = {
    "space": ("space", "planet", "galaxy", "astronaut", "nebula", "cosmos", "宇宙"),
    "studio": ("sofa", "couch", "chair", "product", "render", "interior", "room", "table", "lamp", "studio"),
    "city": ("city", "street", "skyline", "building", "town", "cyberpunk", "downtown", "城市", "街"),
    "snow": ("snow", "winter", "ice", "frozen", "雪", "冬"),
    "desert": ("desert", "dune", "sand", "sahara", "沙漠"),
    "ocean": ("ocean", "sea", "beach", "lake", "river", "wave", "harbor", "island", "海", "湖"),
    "forest": ("forest", "tree", "jungle", "woods", "garden", "森林", "树"),
    "mountain": ("mountain", "hill", "peak", "valley", "cliff", "alps", "山"),
}
SUBJECTS = {
    "sofa": ("sofa", "couch", "armchair", "chair", "沙发"),
    "lighthouse": ("lighthouse", "灯塔"),
    "house": ("house", "cabin", "cottage", "home", "hut", "房子"),
    "robot": ("robot", "android", "mech", "机器人"),
    "cat": ("cat", "kitten", "猫"),
    "tree": ("tree", "oak", "树"),
}
# what a negative prompt can take out: element -> words
REMOVABLE = {
    "sun": ("sun", "moon"),
    "clouds": ("cloud",),
    "mountains": ("mountain", "hill"),
    "trees": ("tree", "forest"),
    "buildings": ("building", "city", "house"),
    "water": ("water", "sea", "ocean", "lake"),
    "stars": ("star",),
    "subject": ("sofa", "couch", "robot", "cat", "lighthouse", "person", "people"),
    "background": ("complex background", "busy background", "cluttered"),
}


@dataclass
class Request:
    """Everything that decides an image."""

    prompt: str
    width: int
    height: int
    seed: int
    style: str | None = None
    negative: str = ""
    cfg_scale: float = 7.0
    steps: int = 30
    detail: str = ""  # sampler and other knobs that change fine detail, not the layout
    palette_hint: list[tuple[int, int, int]] = field(default_factory=list)


def _seed(*parts: object) -> int:
    return int.from_bytes(hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).digest(), "big")


def _has(text: str, words: tuple[str, ...]) -> bool:
    return any(re.search(rf"(?<![a-z]){re.escape(w)}", text) if w.isascii() else w in text for w in words)


def _pick(text: str, table: dict[str, tuple[str, ...]]) -> str | None:
    return next((name for name, words in table.items() if _has(text, words)), None)


def _hsv(h: float, s: float, v: float) -> np.ndarray:
    return np.array(colorsys.hsv_to_rgb(h % 1.0, min(max(s, 0), 1), min(max(v, 0), 1))) * 255


# ---------------------------------------------------------------- the scene


@dataclass
class _Plan:
    time: str  # day, sunset or night
    place: str
    subject: str | None
    removed: set[str]
    hue: float
    sky_top: np.ndarray
    sky_bottom: np.ndarray
    ground: np.ndarray
    accent: np.ndarray
    horizon: float
    sun: tuple[float, float] = (0.0, 0.0)  # where the light is, for reflections on water


_SKIES = {  # (time, place) or time -> top and horizon colours as (h, s, v)
    ("night", "space"): ((0.7, 0.6, 0.06), (0.75, 0.5, 0.22)),
    ("day", "space"): ((0.7, 0.6, 0.08), (0.62, 0.5, 0.3)),
    ("sunset", "space"): ((0.75, 0.6, 0.12), (0.9, 0.5, 0.4)),
    ("day", "snow"): ((0.58, 0.25, 0.9), (0.58, 0.08, 1.0)),
    ("day", "desert"): ((0.56, 0.45, 0.95), (0.1, 0.3, 1.0)),
    "night": ((0.64, 0.7, 0.12), (0.62, 0.5, 0.38)),
    "sunset": ((0.72, 0.5, 0.45), (0.06, 0.75, 1.0)),
    "day": ((0.58, 0.55, 0.85), (0.55, 0.2, 1.0)),
}
_GROUNDS = {
    "forest": (0.3, 0.6, 0.45),
    "snow": (0.6, 0.05, 0.97),
    "desert": (0.09, 0.55, 0.9),
    "ocean": (0.55, 0.7, 0.55),
    "city": (0.65, 0.2, 0.3),
    "space": (0.05, 0.35, 0.45),
}


def _plan(req: Request, rng: np.random.Generator) -> _Plan:
    text, negative = req.prompt.lower(), req.negative.lower()
    time = _pick(text, TIMES) or "day"
    place = _pick(text, PLACES) or ("mountain", "ocean", "forest", "mountain")[rng.integers(4)]
    subject = _pick(text, SUBJECTS)
    removed = {name for name, words in REMOVABLE.items() if _has(negative, words)}
    if "background" in removed:
        removed |= {"clouds", "mountains", "trees", "buildings", "stars"}
    hue = rng.random()
    if place == "studio":
        top, bottom = _hsv(hue, 0.12, 0.8), _hsv(hue, 0.05, 0.97)
        ground = _hsv(hue, 0.1, 0.78)
    else:
        sky = _SKIES.get((time, place)) or _SKIES[time]
        top, bottom = _hsv(*sky[0]), _hsv(*sky[1])
        ground = _hsv(*_GROUNDS.get(place, (0.25 + 0.1 * rng.random(), 0.45, 0.55)))
        if time != "day" and place != "snow":
            ground = ground * (0.45 if time == "night" else 0.7)
    accent = _hsv(hue + 0.5, 0.75, 0.95)
    horizon = {"studio": 0.68, "space": 0.82, "ocean": 0.56}.get(place, 0.6 + 0.08 * rng.random())
    return _Plan(time, place, subject, removed, hue, top, bottom, ground, accent, horizon)


def _gradient(w: int, h: int, top: np.ndarray, bottom: np.ndarray, curve: float = 1.0) -> np.ndarray:
    t = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None, None] ** curve
    return np.broadcast_to(top * (1 - t) + bottom * t, (h, w, 3)).astype(np.float32)


def _ridge(w: int, rng: np.random.Generator, base: float, amp: float, waves: int) -> np.ndarray:
    x = np.linspace(0, 1, w, dtype=np.float32)
    y = np.zeros(w, np.float32)
    for k in range(1, waves + 1):
        y += np.sin(x * np.pi * (k * 1.7 + rng.random() * 2) + rng.random() * 6.3) / k
    return base - amp * (y - y.min()) / (np.ptp(y) + 1e-6)


def _fill_below(draw: ImageDraw.ImageDraw, top: np.ndarray, h: int, colour: tuple) -> None:
    w = len(top)
    points = [(0, h)] + [(x, float(top[x])) for x in range(0, w, max(1, w // 128))]
    draw.polygon(points + [(w, float(top[-1])), (w, h)], fill=colour)


def _rgb(colour: np.ndarray, factor: float = 1.0) -> tuple[int, int, int]:
    r, g, b = (int(min(255, max(0, c * factor))) for c in colour)
    return r, g, b


def _sky(req: Request, plan: _Plan, rng: np.random.Generator, detail: np.random.Generator) -> Image.Image:
    """Sky gradient, stars, and the sun, moon, planet or studio light with its glow."""
    w, h = req.width, req.height
    hz = int(h * plan.horizon)
    img = _gradient(w, h, plan.sky_top, plan.sky_bottom, 1.3).copy()
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    if (plan.time == "night" or plan.place == "space") and "stars" not in plan.removed:
        n = int(w * h / 900)
        sx, sy = detail.integers(0, w, n), detail.integers(0, int(hz * 0.95), n)
        img[sy, sx] = 255 * (0.6 + 0.4 * detail.random((n, 1)))
    cx, cy = w * (0.2 + 0.6 * rng.random()), h * (0.15 + 0.3 * rng.random())
    if plan.place == "studio":  # a soft key light instead of a sun
        d = np.hypot((xx - cx) / w, (yy - h * 0.1) / h)
        img += (np.exp(-((d / 0.35) ** 2)) * 60)[..., None]
    elif "sun" not in plan.removed:
        if plan.time == "sunset":
            cy = hz - h * (0.12 + 0.1 * rng.random())
        r = min(w, h) * (0.06 + 0.05 * rng.random()) * (2.2 if plan.place == "space" else 1)
        d = np.hypot(xx - cx, yy - cy)
        colour = _hsv(0.14, 0.08, 1) if plan.time == "night" else _hsv(0.1 if plan.time == "sunset" else 0.13, 0.55, 1)
        if plan.place == "space":
            colour = _hsv(plan.hue, 0.5, 0.9)
        glow = np.exp(-((d / (r * 3.2)) ** 2))[..., None] * (0.25 if plan.place == "space" else 0.55)
        img = img * (1 - glow) + colour * glow
        disc = np.clip(r - d + 1, 0, 1)[..., None]
        disc_colour = np.broadcast_to(colour, img.shape)
        if plan.place == "space":  # a banded planet
            disc_colour = colour * (0.75 + 0.25 * np.sin((yy - cy) / r * 9))[..., None]
        img = img * (1 - disc) + disc_colour * disc
    plan.sun = (cx, cy)
    canvas = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))
    if plan.place not in ("space", "studio") and "clouds" not in plan.removed:
        layer = Image.new("L", (w, h), 0)
        draw = ImageDraw.Draw(layer)
        for _ in range(int(3 + rng.integers(5))):
            cx, cy = rng.random() * w, rng.random() * hz * 0.6
            for _ in range(6):
                rx, ry = w * (0.03 + 0.06 * detail.random()), h * (0.02 + 0.03 * detail.random())
                ox, oy = (detail.random() - 0.5) * w * 0.12, (detail.random() - 0.5) * h * 0.03
                draw.ellipse((cx + ox - rx, cy + oy - ry, cx + ox + rx, cy + oy + ry), fill=200)
        layer = layer.filter(ImageFilter.GaussianBlur(max(w, h) / 120))
        white = {"night": (110, 120, 150), "sunset": (255, 205, 190)}.get(plan.time, (255, 250, 245))
        canvas = Image.composite(Image.new("RGB", (w, h), white), canvas, layer)
    return canvas


def _land(
    canvas: Image.Image, req: Request, plan: _Plan, rng: np.random.Generator, detail: np.random.Generator
) -> None:
    """Mountains, ground or water, city, trees and dunes, painted onto `canvas` in place."""
    w, h = canvas.size
    hz = int(h * plan.horizon)
    draw = ImageDraw.Draw(canvas)
    if plan.place not in ("studio", "space", "city") and "mountains" not in plan.removed:
        for layer_i, fade in enumerate((0.55, 0.3)):
            top = _ridge(w, rng, hz, h * (0.28 - 0.1 * layer_i), 5)
            _fill_below(draw, top, h, _rgb(plan.ground * (1 - fade) + plan.sky_bottom * fade))
    ground = _rgb(plan.ground)
    if plan.place == "ocean" and "water" not in plan.removed:
        draw.rectangle((0, hz, w, h), fill=ground)
        sun_x = plan.sun[0]
        glitter = _rgb(plan.sky_bottom, 1.1) if "sun" not in plan.removed else (255, 236, 190)
        for _ in range(int(h * 0.12)):
            y = hz + (h - hz) * detail.random() ** 1.5
            near_sun = detail.random() < 0.5 and "sun" not in plan.removed
            x = sun_x + (detail.random() - 0.5) * w * 0.15 if near_sun else detail.random() * w
            length = w * 0.02 * (1 + 4 * (y - hz) / max(1, h - hz))
            draw.line(
                (x - length / 2, y, x + length / 2, y),
                fill=glitter if near_sun else _rgb(plan.ground, 1.35),
                width=max(1, h // 300),
            )
    elif plan.place == "studio":
        floor = _gradient(w, h - hz, plan.ground * 1.05, plan.ground * 0.7)
        canvas.paste(Image.fromarray(np.clip(floor, 0, 255).astype(np.uint8)), (0, hz))
    else:
        _fill_below(draw, _ridge(w, rng, hz + h * 0.05, h * 0.06, 3), h, ground)
    if plan.place == "city" and "buildings" not in plan.removed:
        x, lit = 0.0, 0.55 if plan.time == "night" else 0.3
        while x < w:
            bw, bh = w * (0.05 + 0.07 * rng.random()), h * (0.15 + 0.35 * rng.random())
            draw.rectangle((x, hz - bh, x + bw, hz), fill=_rgb(plan.ground, 0.7 + 0.6 * rng.random()))
            step = max(4, int(w / 90))
            for wy in range(int(hz - bh + step), int(hz - step), step * 2):
                for wx in range(int(x + step / 2), int(x + bw - step), step * 2):
                    if detail.random() < lit:
                        draw.rectangle((wx, wy, wx + step * 0.8, wy + step * 0.8), fill=(255, 214, 120))
            x += bw + w * 0.01 * rng.random()
        draw.rectangle((0, hz, w, h), fill=_rgb(plan.ground, 0.6))
    if plan.place in ("forest", "mountain", "snow") and "trees" not in plan.removed:
        for _ in range(14 if plan.place == "forest" else 6):
            tx, base = rng.random() * w, hz + (h - hz) * (0.1 + 0.8 * rng.random())
            th = h * (0.08 + 0.12 * rng.random()) * (0.6 + (base - hz) / (h - hz))
            dim = 0.5 if plan.time == "night" else 1.0
            green = _rgb(_hsv(0.33 + 0.05 * rng.random(), 0.6, (0.3 + 0.2 * rng.random()) * dim))
            trunk = _rgb(np.array([90, 60, 40]), dim)
            draw.rectangle((tx - th * 0.04, base - th * 0.2, tx + th * 0.04, base), fill=trunk)
            for k in range(3):
                top = base - th * (0.35 + 0.3 * k)
                half = th * (0.32 - 0.08 * k)
                draw.polygon([(tx - half, top + th * 0.35), (tx + half, top + th * 0.35), (tx, top)], fill=green)
    if plan.place == "desert":
        for k in range(3):
            top = _ridge(w, rng, hz + (h - hz) * (0.25 + 0.25 * k), h * 0.05, 2)
            _fill_below(draw, top, h, _rgb(plan.ground, 0.85 + 0.08 * k))


def _paint_scene(
    req: Request, plan: _Plan, rng: np.random.Generator, detail: np.random.Generator
) -> tuple[Image.Image, Image.Image]:
    """(background, subject layer as RGBA): styles may treat the subject apart (focus, outline)."""
    canvas = _sky(req, plan, rng, detail)
    _land(canvas, req, plan, rng, detail)
    layer = Image.new("RGBA", canvas.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    hz = int(req.height * plan.horizon)
    if plan.subject and "subject" not in plan.removed:
        _subject(draw, plan, rng, req.width, req.height, hz)
    elif plan.place == "studio" and "subject" not in plan.removed:
        _monument(draw, plan, rng, req.width, req.height, hz)
    return canvas, layer


def _subject(draw: ImageDraw.ImageDraw, plan: _Plan, rng: np.random.Generator, w: int, h: int, hz: int) -> None:
    """The thing the prompt names, drawn large in the foreground."""
    s = min(w, h)
    cx, base = w * (0.35 + 0.3 * rng.random()), hz + (h - hz) * 0.55
    if plan.place == "studio":  # a product shot: centre stage
        cx = w * (0.45 + 0.1 * rng.random())
    if plan.place == "ocean":  # something to stand on
        draw.ellipse((cx - s * 0.16, base - s * 0.04, cx + s * 0.16, base + s * 0.07), fill=(70, 66, 62))
    main = tuple(int(c) for c in plan.accent)
    dark = tuple(int(c * 0.62) for c in plan.accent)
    light = tuple(min(255, int(c * 1.15 + 25)) for c in plan.accent)
    if plan.subject == "sofa":
        sw, sh = s * 0.55, s * 0.2
        x0, y0 = cx - sw / 2, base - sh
        draw.ellipse((x0 + sw * 0.05, base - sh * 0.05, x0 + sw * 0.95, base + sh * 0.18), fill=(40, 40, 48))
        draw.rounded_rectangle((x0, y0 - sh * 0.55, x0 + sw, y0 + sh * 0.5), radius=sh * 0.3, fill=dark)
        draw.rounded_rectangle(
            (x0 + sw * 0.04, y0 + sh * 0.1, x0 + sw * 0.96, base - sh * 0.12), radius=sh * 0.25, fill=main
        )
        for k in range(3):
            cx0 = x0 + sw * (0.1 + 0.27 * k)
            draw.rounded_rectangle((cx0, y0 - sh * 0.4, cx0 + sw * 0.25, y0 + sh * 0.2), radius=sh * 0.2, fill=light)
        for side in (x0 - sw * 0.02, x0 + sw * 0.9):
            draw.rounded_rectangle(
                (side, y0 - sh * 0.15, side + sw * 0.12, base - sh * 0.1), radius=sh * 0.2, fill=dark
            )
        for leg in (x0 + sw * 0.1, x0 + sw * 0.86):
            draw.rectangle((leg, base - sh * 0.12, leg + sw * 0.03, base + sh * 0.08), fill=(30, 30, 34))
    elif plan.subject == "lighthouse":
        lw, lh = s * 0.11, s * 0.5
        for k in range(6):
            y1, y2 = base - lh * (k + 1) / 6, base - lh * k / 6
            shrink = lw * 0.25 * (k / 6)
            draw.rectangle(
                (cx - lw / 2 + shrink, y1, cx + lw / 2 - shrink, y2), fill=(230, 230, 225) if k % 2 else (200, 40, 45)
            )
        draw.rectangle((cx - lw * 0.3, base - lh * 1.12, cx + lw * 0.3, base - lh), fill=(255, 230, 140))
        draw.polygon(
            [(cx - lw * 0.4, base - lh * 1.12), (cx + lw * 0.4, base - lh * 1.12), (cx, base - lh * 1.25)],
            fill=(60, 60, 70),
        )
        draw.polygon(
            [(cx, base - lh * 1.06), (cx + s * 0.45, base - lh * 1.2), (cx + s * 0.45, base - lh * 0.92)],
            fill=(255, 240, 180),
        )
    elif plan.subject == "house":
        hw, hh = s * 0.3, s * 0.2
        draw.rectangle((cx - hw / 2, base - hh, cx + hw / 2, base), fill=main)
        draw.polygon([(cx - hw * 0.6, base - hh), (cx + hw * 0.6, base - hh), (cx, base - hh * 1.9)], fill=dark)
        draw.rectangle((cx - hw * 0.08, base - hh * 0.55, cx + hw * 0.08, base), fill=(70, 45, 30))
        for wx in (cx - hw * 0.33, cx + hw * 0.18):
            draw.rectangle((wx, base - hh * 0.75, wx + hw * 0.15, base - hh * 0.45), fill=(255, 225, 130))
    elif plan.subject == "robot":
        u = s * 0.06
        draw.rounded_rectangle((cx - 2 * u, base - 6 * u, cx + 2 * u, base - 2 * u), radius=u * 0.5, fill=main)
        draw.rounded_rectangle((cx - 1.5 * u, base - 9 * u, cx + 1.5 * u, base - 6.3 * u), radius=u * 0.6, fill=light)
        for ex in (cx - 0.7 * u, cx + 0.7 * u):
            draw.ellipse((ex - 0.35 * u, base - 8 * u, ex + 0.35 * u, base - 7.3 * u), fill=(40, 220, 255))
        draw.line((cx, base - 9 * u, cx, base - 10.2 * u), fill=dark, width=max(1, int(u * 0.25)))
        draw.ellipse((cx - 0.3 * u, base - 10.6 * u, cx + 0.3 * u, base - 10 * u), fill=(255, 80, 80))
        for lx in (cx - 1.5 * u, cx + 0.7 * u):
            draw.rectangle((lx, base - 2 * u, lx + 0.8 * u, base), fill=dark)
        for ax in (cx - 2.8 * u, cx + 2.1 * u):
            draw.rounded_rectangle((ax, base - 5.8 * u, ax + 0.7 * u, base - 2.8 * u), radius=u * 0.3, fill=dark)
    elif plan.subject == "cat":
        u = s * 0.05
        body = (40, 40, 46) if rng.random() < 0.5 else (230, 140, 60)
        draw.ellipse((cx - 2.5 * u, base - 3 * u, cx + 2.5 * u, base), fill=body)
        draw.ellipse((cx + 1.2 * u, base - 5.2 * u, cx + 3.8 * u, base - 2.6 * u), fill=body)
        for ex in (cx + 1.5 * u, cx + 2.9 * u):
            ear = [(ex, base - 4.6 * u), (ex + 0.9 * u, base - 4.7 * u), (ex + 0.4 * u, base - 6 * u)]
            draw.polygon(ear, fill=body)
        for ex in (cx + 2.0 * u, cx + 3.0 * u):
            draw.ellipse((ex - 0.22 * u, base - 4.2 * u, ex + 0.22 * u, base - 3.8 * u), fill=(120, 220, 90))
        draw.line((cx - 2.3 * u, base - 1.5 * u, cx - 3.8 * u, base - 4 * u), fill=body, width=max(2, int(u * 0.5)))
    else:  # a single large tree
        th = s * 0.45
        draw.rectangle((cx - th * 0.05, base - th * 0.45, cx + th * 0.05, base), fill=(100, 70, 45))
        for k in range(5):
            r = th * (0.22 - 0.02 * k)
            ox, oy = (rng.random() - 0.5) * th * 0.35, -th * (0.55 + 0.1 * rng.random())
            green = tuple(int(c) for c in _hsv(0.3 + 0.06 * rng.random(), 0.6, 0.45 + 0.15 * k / 5))
            draw.ellipse((cx + ox - r, base + oy - r, cx + ox + r, base + oy + r), fill=green)


def _monument(draw: ImageDraw.ImageDraw, plan: _Plan, rng: np.random.Generator, w: int, h: int, hz: int) -> None:
    """An abstract sculpture for studio prompts without a named subject."""
    s, cx, base = min(w, h), w / 2, hz + (h - hz) * 0.5
    y = base
    for k in range(3 + int(rng.integers(3))):
        size = s * (0.18 - 0.025 * k) * (0.8 + 0.4 * rng.random())
        colour = tuple(int(c) for c in _hsv(plan.hue + 0.08 * k, 0.6, 0.9 - 0.1 * k))
        if rng.random() < 0.5:
            draw.ellipse((cx - size / 2, y - size, cx + size / 2, y), fill=colour)
        else:
            draw.rounded_rectangle((cx - size / 2, y - size * 0.7, cx + size / 2, y), radius=size * 0.15, fill=colour)
            size *= 0.7
        y -= size * 0.95


# ---------------------------------------------------------------- styles


def _vignette(im: Image.Image, strength: float) -> Image.Image:
    w, h = im.size
    yy, xx = np.ogrid[-1 : 1 : complex(0, h), -1 : 1 : complex(0, w)]
    mask = 1 - strength * np.clip(xx**2 + yy**2 - 0.3, 0, None)
    return Image.fromarray(np.clip(np.asarray(im, np.float32) * mask[..., None], 0, 255).astype(np.uint8))


def _smooth(im: Image.Image, factor: int) -> Image.Image:
    """Average away fine detail (cheaply: shrink, then grow back) so posterising leaves flat areas."""
    w, h = im.size
    small = im.resize((max(1, w // factor), max(1, h // factor)), Image.Resampling.BOX)
    return small.resize((w, h), Image.Resampling.BILINEAR)


def _edges(im: Image.Image, threshold: int) -> Image.Image:
    """A black-on-white mask (L) of the image's outlines."""
    e = ImageOps.grayscale(im).filter(ImageFilter.FIND_EDGES)
    return e.point(lambda v: 255 if v > threshold else 0)


def _facets(im: Image.Image, cells: int, rng: np.random.Generator, shade: float) -> Image.Image:
    """Triangulate a jittered grid and fill each triangle with the colour under its centre."""
    w, h = im.size
    nx, ny = cells, max(2, round(cells * h / w))
    gx = np.linspace(0, w, nx + 1)[None, :].repeat(ny + 1, 0)
    gy = np.linspace(0, h, ny + 1)[:, None].repeat(nx + 1, 1)
    jitter = rng.random((2, ny + 1, nx + 1)) - 0.5
    gx[1:-1, 1:-1] += jitter[0, 1:-1, 1:-1] * w / nx * 0.7
    gy[1:-1, 1:-1] += jitter[1, 1:-1, 1:-1] * h / ny * 0.7
    src = np.asarray(im)
    out = Image.new("RGB", im.size)
    draw = ImageDraw.Draw(out)
    for j in range(ny):
        for i in range(nx):
            a, b = (gx[j, i], gy[j, i]), (gx[j, i + 1], gy[j, i + 1])
            c, d = (gx[j + 1, i], gy[j + 1, i]), (gx[j + 1, i + 1], gy[j + 1, i + 1])
            for k, tri in enumerate(((a, b, d), (a, d, c))):
                mx = int(min(w - 1, max(0, sum(p[0] for p in tri) / 3)))
                my = int(min(h - 1, max(0, sum(p[1] for p in tri) / 3)))
                factor = 1 + shade * (0.5 - rng.random()) + (shade * 0.5 if k else -shade * 0.5)
                colour = tuple(int(min(255, max(0, v * factor))) for v in src[my, mx])
                draw.polygon(tri, fill=colour)
    return out


def _isometric(im: Image.Image, plan: _Plan) -> Image.Image:
    """The scene as the top of an isometric block floating on a plain backdrop."""
    w, h = im.size
    bg = Image.new("RGB", (w, h), tuple(int(c) for c in _hsv(plan.hue, 0.08, 0.96)))
    side = min(w, h) * 0.62
    cx, cy = w / 2, h * 0.42
    # forward map of the unit square (u, v) to a diamond: x = cx + (u - v) * side/2, y = top + (u + v) * side/4
    top = cy - side / 4
    a, b, c, d = side / 2, -side / 2, side / 4, side / 4
    det = a * d - b * c
    inv = (d / det, -b / det, -c / det, a / det)
    sx, sy = w, h  # source scale
    data = (
        inv[0] * sx,
        inv[1] * sx,
        -(inv[0] * cx + inv[1] * top) * sx,
        inv[2] * sy,
        inv[3] * sy,
        -(inv[2] * cx + inv[3] * top) * sy,
    )
    face = im.transform((w, h), Image.Transform.AFFINE, data, resample=Image.Resampling.BILINEAR)
    mask = Image.new("L", (w, h), 255).transform((w, h), Image.Transform.AFFINE, data)
    depth = side * 0.22
    left = [
        (cx - side / 2, top + side / 4),
        (cx, top + side / 2),
        (cx, top + side / 2 + depth),
        (cx - side / 2, top + side / 4 + depth),
    ]
    right = [
        (cx, top + side / 2),
        (cx + side / 2, top + side / 4),
        (cx + side / 2, top + side / 4 + depth),
        (cx, top + side / 2 + depth),
    ]
    draw = ImageDraw.Draw(bg)
    draw.ellipse(
        (cx - side * 0.55, top + side / 2 + depth * 0.9, cx + side * 0.55, top + side / 2 + depth * 1.6),
        fill=tuple(int(c) for c in _hsv(plan.hue, 0.1, 0.82)),
    )
    draw.polygon(left, fill=tuple(int(c * 0.72) for c in plan.ground))
    draw.polygon(right, fill=tuple(int(c * 0.5) for c in plan.ground))
    bg.paste(face, (0, 0), mask)
    return bg


def _style(im: Image.Image, style: str | None, plan: _Plan, rng: np.random.Generator) -> Image.Image:
    w, h = im.size
    if style in (None, "enhance"):
        im = ImageEnhance.Color(im).enhance(1.15)
        return ImageEnhance.Contrast(im).enhance(1.08).filter(ImageFilter.SHARPEN)
    if style == "photographic":
        im = im.filter(ImageFilter.GaussianBlur(max(w, h) / 900))
        return _vignette(ImageEnhance.Color(im).enhance(0.9), 0.35)
    if style == "cinematic":
        a = np.asarray(im, np.float32) / 255
        lum = a.mean(axis=2, keepdims=True)
        teal, orange = np.array([0.0, 0.35, 0.45]), np.array([1.0, 0.62, 0.3])
        a = a * 0.7 + (teal * (1 - lum) + orange * lum) * 0.3
        im = _vignette(Image.fromarray((np.clip(a, 0, 1) * 255).astype(np.uint8)), 0.5)
        bar = int(h * 0.11)
        ImageDraw.Draw(im).rectangle((0, 0, w, bar), fill=(0, 0, 0))
        ImageDraw.Draw(im).rectangle((0, h - bar, w, h), fill=(0, 0, 0))
        return im
    if style == "anime":
        flat = ImageOps.posterize(_smooth(im, 3), 3)
        flat = ImageEnhance.Color(flat).enhance(1.4)
        lines = _edges(flat, 40).filter(ImageFilter.MaxFilter(3))
        return Image.composite(Image.new("RGB", im.size, (35, 30, 45)), flat, lines)
    if style == "comic-book":
        flat = ImageEnhance.Color(ImageOps.posterize(im, 2)).enhance(1.3)
        lum = np.asarray(ImageOps.grayscale(flat), np.float32) / 255
        step = max(4, w // 110)
        yy, xx = np.mgrid[0:h, 0:w]
        dots = (np.hypot(xx % step - step / 2, yy % step - step / 2) < step * 0.45 * (1 - lum)) & (lum < 0.75)
        a = np.asarray(flat).copy()
        a[dots] = (a[dots] * 0.35).astype(np.uint8)
        lines = _edges(flat, 30).filter(ImageFilter.MaxFilter(5))
        return Image.composite(Image.new("RGB", im.size, (0, 0, 0)), Image.fromarray(a), lines)
    if style == "digital-art":
        a = np.asarray(ImageEnhance.Color(im).enhance(1.6), np.float32)
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        sweep = (np.sin(xx / w * 3 + yy / h * 2) * 0.5 + 0.5)[..., None]
        a = a * 0.8 + (np.array([255, 60, 160]) * sweep + np.array([40, 160, 255]) * (1 - sweep)) * 0.2
        im = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8)).filter(ImageFilter.SHARPEN)
        glow = im.filter(ImageFilter.GaussianBlur(max(w, h) / 50))
        return ImageChops.screen(im, ImageEnhance.Brightness(glow).enhance(0.5))
    if style == "fantasy-art":
        a = np.asarray(im, np.float32)
        a = a * np.array([0.9, 0.8, 1.1]) + np.array([25, 0, 35])
        im = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
        glow = im.filter(ImageFilter.GaussianBlur(max(w, h) / 40))
        im = ImageChops.screen(im, ImageEnhance.Brightness(glow).enhance(0.5))
        draw = ImageDraw.Draw(im)
        for _ in range(60):
            x, y, r = rng.random() * w, rng.random() * h, max(1, w / 300) * (1 + 2 * rng.random())
            draw.ellipse((x - r, y - r, x + r, y + r), fill=(255, 250, 210))
        return im
    if style == "analog-film":
        a = np.asarray(im, np.float32)
        a = 28 + a * 0.82 * np.array([1.08, 1.0, 0.86])  # faded blacks, warm cast
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        leak = np.exp(-(((xx - w) / (w * 0.5)) ** 2 + (yy / (h * 0.6)) ** 2))[..., None] * np.array([90, 40, 0])
        return _vignette(Image.fromarray(np.clip(a + leak, 0, 255).astype(np.uint8)), 0.55)
    if style == "neon-punk":
        dark = ImageEnhance.Brightness(ImageEnhance.Color(im).enhance(0.4)).enhance(0.3)
        lines = _edges(im, 25).filter(ImageFilter.MaxFilter(3))
        yy = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
        neon = (np.array([255, 40, 200]) * (1 - yy) + np.array([30, 240, 255]) * yy) * np.ones((1, w, 1))
        neon_im = Image.fromarray(neon.astype(np.uint8))
        glowing = Image.composite(neon_im, dark, lines)
        glow = glowing.filter(ImageFilter.GaussianBlur(max(w, h) / 150))
        return ImageChops.screen(glowing, glow)
    if style == "isometric":
        return _isometric(ImageOps.posterize(im, 4), plan)
    if style == "line-art":
        lines = _edges(im, 22)
        paper = Image.new("RGB", im.size, (250, 247, 240))
        return Image.composite(Image.new("RGB", im.size, (30, 30, 35)), paper, lines)
    if style == "low-poly":
        return _facets(im, 28, rng, 0.12)
    if style == "origami":
        paper = ImageEnhance.Color(im).enhance(0.7)
        folded = _facets(paper, 9, rng, 0.28)
        a = np.asarray(folded, np.float32) * 0.85 + 38
        return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
    if style == "modeling-compound":
        smooth = _smooth(im, 4)
        smooth = ImageEnhance.Color(ImageOps.posterize(smooth, 3)).enhance(1.5)
        relief = ImageOps.grayscale(smooth).filter(ImageFilter.GaussianBlur(max(w, h) / 250))
        relief = relief.filter(ImageFilter.EMBOSS).filter(ImageFilter.GaussianBlur(1)).convert("RGB")
        clay = ImageChops.hard_light(smooth, ImageEnhance.Contrast(relief).enhance(2.2))
        grain = np.random.default_rng(7).normal(0, 5, (h, w, 1))
        return Image.fromarray(np.clip(np.asarray(clay, np.float32) + grain, 0, 255).astype(np.uint8))
    if style == "3d-model":
        relief = ImageOps.grayscale(im).filter(ImageFilter.GaussianBlur(max(w, h) / 200))
        relief = ImageEnhance.Contrast(relief.filter(ImageFilter.EMBOSS).convert("RGB")).enhance(1.8)
        shaded = ImageChops.soft_light(im, relief)
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        light = 0.72 + 0.3 * np.exp(-(((xx - w * 0.4) / w) ** 2 + ((yy - h * 0.2) / h) ** 2) * 4)
        a = np.asarray(ImageEnhance.Color(shaded).enhance(0.85), np.float32) * light[..., None]
        return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
    if style == "pixel-art":
        small = im.resize((max(8, w // 10), max(8, h // 10)), Image.Resampling.BOX)
        small = small.quantize(16, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).convert("RGB")
        return small.resize((w, h), Image.Resampling.NEAREST)
    if style == "tile-texture":
        half = ImageOps.posterize(im.resize((w // 2 or 1, h // 2 or 1), Image.Resampling.BOX), 5)
        out = Image.new("RGB", (w, h))
        out.paste(half, (0, 0))
        out.paste(ImageOps.mirror(half), (w // 2, 0))
        out.paste(ImageOps.flip(half), (0, h // 2))
        out.paste(ImageOps.flip(ImageOps.mirror(half)), (w // 2, h // 2))
        return out
    raise ValueError(f"unknown style preset {style!r}; known: {', '.join(STYLES)}")


# ---------------------------------------------------------------- the mark and the whole


_GLYPHS = {  # 5x7 bitmap font for the mark
    "S": ("01111", "10000", "10000", "01110", "00001", "00001", "11110"),
    "I": ("11111", "00100", "00100", "00100", "00100", "00100", "11111"),
    "M": ("10001", "11011", "10101", "10101", "10001", "10001", "10001"),
    "U": ("10001", "10001", "10001", "10001", "10001", "10001", "01110"),
    "L": ("10000", "10000", "10000", "10000", "10000", "10000", "11111"),
    "A": ("01110", "10001", "10001", "11111", "10001", "10001", "10001"),
    "T": ("11111", "00100", "00100", "00100", "00100", "00100", "00100"),
    "E": ("11111", "10000", "10000", "11110", "10000", "10000", "11111"),
    "D": ("11110", "10001", "10001", "10001", "10001", "10001", "11110"),
}


def _mark(img: np.ndarray, text: str = "SIMULATED") -> None:
    """Stamp a small white-on-dark label in the bottom-right corner, in place."""
    h, w, _ = img.shape
    scale = max(1, min(w, h) // 256)
    glyphs = [np.array([[c == "1" for c in row] for row in _GLYPHS[ch]]) for ch in text]
    bits = np.hstack([np.pad(g, ((0, 0), (0, 1))) for g in glyphs])  # one blank column between letters
    bits = np.kron(bits, np.ones((scale, scale), bool))
    bh, bw = bits.shape
    pad = 2 * scale
    y0, x0 = h - bh - 2 * pad, w - bw - 2 * pad
    if y0 < 0 or x0 < 0:
        return
    box = img[y0 : y0 + bh + 2 * pad, x0 : x0 + bw + 2 * pad]
    box[...] = (box * 0.35).astype(img.dtype)
    box[pad : pad + bh, pad : pad + bw][bits] = 255


def _compose(background: Image.Image, layer: Image.Image, style: str | None) -> Image.Image:
    """Put the subject on its background; photographic styles focus on it, 3d-model casts a shadow."""
    w, h = background.size
    if layer.getbbox() is None:
        return background
    focus = {"3d-model": 140, "photographic": 220, "cinematic": 160}.get(style or "")
    if focus:
        background = background.filter(ImageFilter.GaussianBlur(max(w, h) / focus))
    if style in ("3d-model", "modeling-compound"):
        alpha = layer.getchannel("A")
        shadow = ImageChops.offset(alpha, w // 40, h // 60).filter(ImageFilter.GaussianBlur(max(w, h) / 80))
        background = Image.composite(
            Image.new("RGB", (w, h), (25, 25, 30)), background, shadow.point(lambda v: v * 0.55)
        )
    out = background.copy()
    out.paste(layer, (0, 0), layer)
    return out


def render(req: Request) -> Image.Image:
    """The RGB picture `req` describes."""
    key = req.prompt.strip().lower()
    layout = np.random.default_rng(_seed("layout", key, req.seed))
    detail = np.random.default_rng(_seed("detail", key, req.seed, req.detail))
    plan = _plan(req, layout)
    if req.palette_hint:  # e.g. Titan's colour-guided generation
        plan.accent = np.array(req.palette_hint[0], np.float32)
    # paint at most ~640 px on the long side, then scale: keeps a 1024x1024 image fast
    work = min(1.0, 640 / max(req.width, req.height))
    size = {"width": max(16, round(req.width * work)), "height": max(16, round(req.height * work))}
    background, layer = _paint_scene(Request(**{**req.__dict__, **size}), plan, layout, detail)
    scene = _compose(background, layer, req.style)
    styled = _style(scene, req.style, plan, np.random.default_rng(_seed("style", req.seed, req.style)))
    if styled.size != (req.width, req.height):
        resample = Image.Resampling.NEAREST if req.style == "pixel-art" else Image.Resampling.BICUBIC
        styled = styled.resize((req.width, req.height), resample)
    a = np.asarray(styled, np.float32)
    # cfg_scale: how strongly colours follow the prompt (7 = as painted); few steps leave noise
    strength = float(np.clip(0.7 + 0.045 * req.cfg_scale, 0.55, 1.8))
    grey = a.mean(axis=2, keepdims=True)
    a = grey + (a - grey) * strength
    noise = max(0.0, (30 - req.steps) / 30) * 40 + (14 if req.style == "analog-film" else 0)
    if noise:
        a += detail.normal(0, noise, (req.height, req.width, 1)).astype(np.float32)
    out = np.clip(a, 0, 255).astype(np.uint8)
    _mark(out)
    return Image.fromarray(out, "RGB")


def encode(img: Image.Image, fmt: str = "png") -> str:
    """Base64 of the image file, as the APIs return it (PNG unless a format is asked for)."""
    buf = io.BytesIO()
    if fmt in ("jpeg", "jpg"):
        img.save(buf, "JPEG", quality=90)
    elif fmt == "webp":
        img.save(buf, "WEBP", quality=90)
    else:
        img.save(buf, "PNG", compress_level=1)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def decode(data: str) -> Image.Image:
    """A base64 image as an RGB PIL image (for image-to-image requests)."""
    return Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB")


def request_seed(*parts: object) -> int:
    """A 'random' seed that is really derived from the request, so offline outputs never drift."""
    return _seed("seed", *parts) % 4294967295 + 1


def blend(source: Image.Image, picture: Image.Image, strength: float) -> Image.Image:
    """Image-to-image: `strength` of the source kept (1 = the source itself), the rest new."""
    picture = picture.resize(source.size) if picture.size != source.size else picture
    out = Image.blend(picture, source.convert("RGB"), float(strength))
    a = np.asarray(out).copy()
    _mark(a)
    return Image.fromarray(a)
