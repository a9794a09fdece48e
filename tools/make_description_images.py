"""Draw the addon's Apps icon and banner (static/description/icon.png, banner.png) with
Pillow: an e-invoice document with a tick, in the colours of the Jalur Gemilang (royal
blue, red, yellow, white). Run once after changing the drawing: python tools/make_description_images.py"""

import pathlib

from PIL import Image, ImageDraw, ImageFont

OUT = pathlib.Path(__file__).resolve().parent.parent / "l10n_my_einvoice" / "static" / "description"
BLUE, RED, YELLOW, WHITE = (1, 0, 102), (204, 0, 1), (255, 204, 0), (255, 255, 255)
SCALE = 4  # drawn large, then reduced: smooth edges


def _icon(size):
    s = size * SCALE
    image = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    u = s / 256  # the drawing is laid out on a 256 grid
    draw.rounded_rectangle((0, 0, s - 1, s - 1), radius=44 * u, fill=BLUE)
    # the document, its top-right corner folded
    left, top, right, bottom, fold = 60 * u, 36 * u, 184 * u, 212 * u, 34 * u
    draw.polygon([(left, top), (right - fold, top), (right, top + fold), (right, bottom), (left, bottom)], fill=WHITE)
    draw.polygon([(right - fold, top), (right - fold, top + fold), (right, top + fold)], fill=(200, 200, 225))
    # red lines of the invoice (the flag's stripes)
    for index, width in enumerate((70, 96, 96, 60)):
        y = top + (58 + index * 24) * u
        draw.rounded_rectangle((left + 16 * u, y, left + (16 + width) * u, y + 10 * u), radius=5 * u, fill=RED)
    # the yellow seal with a blue tick: validated by LHDN
    cx, cy, r = 180 * u, 184 * u, 50 * u
    draw.ellipse((cx - r - 6 * u, cy - r - 6 * u, cx + r + 6 * u, cy + r + 6 * u), fill=BLUE)
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=YELLOW)
    tick = [(cx - 24 * u, cy + 2 * u), (cx - 6 * u, cy + 20 * u), (cx + 26 * u, cy - 18 * u)]
    draw.line(tick, fill=BLUE, width=int(13 * u), joint="curve")
    return image.resize((size, size), Image.LANCZOS)


def _font(size):
    for name in ("DejaVuSans-Bold.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default()


def _banner():
    banner = Image.new("RGB", (560, 280), BLUE)
    draw = ImageDraw.Draw(banner)
    for index in range(7):  # the flag's red and white stripes, faint, behind the text
        draw.rectangle((0, 250 + index * 4, 560, 251 + index * 4), fill=RED if index % 2 == 0 else WHITE)
    banner.paste(_icon(180), (30, 50), _icon(180))
    draw.text((235, 80), "MyInvois", font=_font(40), fill=WHITE)
    draw.text((235, 132), "e-Invoicing, direct", font=_font(24), fill=YELLOW)
    draw.text((235, 172), "own API credentials,\nown certificate, no middleman", font=_font(17), fill=WHITE)
    return banner


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    _icon(256).save(OUT / "icon.png", optimize=True)
    _banner().save(OUT / "banner.png", optimize=True)
    print(f"wrote {OUT / 'icon.png'} and {OUT / 'banner.png'}")


if __name__ == "__main__":
    main()
