/* gis-color.c: colours and colour ramps of map styles
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "gis-color"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "gis-color.h"

G_DEFINE_BOXED_TYPE (GisColor, gis_color, gis_color_copy, gis_color_free)

/**
 * gis_color_copy:
 *
 * Returns: (transfer full): a copy for gis_color_free()
 */
GisColor *
gis_color_copy (const GisColor *color)
{
  g_return_val_if_fail (color != NULL, NULL);
  return g_memdup2 (color, sizeof *color);
}

void
gis_color_free (GisColor *color)
{
  g_free (color);
}

static int
hex_digit (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/**
 * gis_color_parse:
 * @str: "#rrggbb" or "#rrggbbaa" (hexadecimal, either case)
 * @out_color: (out): the colour; alpha 1 without "aa"
 *
 * Returns: %TRUE if @str is a colour; @out_color is left alone otherwise
 */
gboolean
gis_color_parse (const char *str,
                 GisColor   *out_color)
{
  gsize len;
  int v[8];

  g_return_val_if_fail (out_color != NULL, FALSE);

  if (str == NULL || str[0] != '#')
    return FALSE;
  str++;
  len = strlen (str);
  if (len != 6 && len != 8)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if ((v[i] = hex_digit (str[i])) < 0)
      return FALSE;

  out_color->r = (v[0] * 16 + v[1]) / 255.0;
  out_color->g = (v[2] * 16 + v[3]) / 255.0;
  out_color->b = (v[4] * 16 + v[5]) / 255.0;
  out_color->a = len == 8 ? (v[6] * 16 + v[7]) / 255.0 : 1.0;
  return TRUE;
}

static guint
to_byte (double v)
{
  if (!(v > 0))
    return 0;
  if (v >= 1)
    return 255;
  return (guint) lround (v * 255.0);
}

/**
 * gis_color_to_string:
 * @color: a colour
 *
 * Returns: (transfer full): "#rrggbb" when @color is opaque at 8 bits,
 *   else "#rrggbbaa"; lower case
 */
char *
gis_color_to_string (const GisColor *color)
{
  guint a;

  g_return_val_if_fail (color != NULL, NULL);

  a = to_byte (color->a);
  if (a == 255)
    return g_strdup_printf ("#%02x%02x%02x",
                            to_byte (color->r), to_byte (color->g), to_byte (color->b));
  return g_strdup_printf ("#%02x%02x%02x%02x",
                          to_byte (color->r), to_byte (color->g), to_byte (color->b), a);
}

/**
 * gis_color_equal:
 *
 * Returns: %TRUE if @a and @b are the same colour at 8 bits per channel
 */
gboolean
gis_color_equal (const GisColor *a,
                 const GisColor *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  return to_byte (a->r) == to_byte (b->r) && to_byte (a->g) == to_byte (b->g) &&
         to_byte (a->b) == to_byte (b->b) && to_byte (a->a) == to_byte (b->a);
}

/**
 * gis_color_from_hsv:
 * @h_deg: hue in degrees (any value; taken modulo 360)
 * @s: saturation, 0 to 1
 * @v: value, 0 to 1
 * @alpha: opacity, 0 to 1
 * @out_color: (out): the colour
 */
void
gis_color_from_hsv (double    h_deg,
                    double    s,
                    double    v,
                    double    alpha,
                    GisColor *out_color)
{
  double h = fmod (h_deg, 360.0);
  double c, x, m, r = 0, g = 0, b = 0;
  int sector;

  g_return_if_fail (out_color != NULL);

  if (h < 0)
    h += 360.0;
  c = v * s;
  x = c * (1 - fabs (fmod (h / 60.0, 2.0) - 1));
  m = v - c;
  sector = (int) (h / 60.0) % 6;
  switch (sector)
    {
    case 0: r = c; g = x; break;
    case 1: r = x; g = c; break;
    case 2: g = c; b = x; break;
    case 3: g = x; b = c; break;
    case 4: r = x; b = c; break;
    default: r = c; b = x; break;
    }
  out_color->r = r + m;
  out_color->g = g + m;
  out_color->b = b + m;
  out_color->a = alpha;
}

/* ---- ramps --------------------------------------------------------------- */

typedef struct
{
  const char *id;
  const char *label;
  guint       n_stops;
  guint32     stops[11];   /* 0xRRGGBB */
} RampDef;

static const RampDef ramps[GIS_N_COLOR_RAMPS] = {
  [GIS_COLOR_RAMP_REDS] = { "reds", N_("Reds"), 9,
    { 0xfff5f0, 0xfee0d2, 0xfcbba1, 0xfc9272, 0xfb6a4a, 0xef3b2c, 0xcb181d, 0xa50f15, 0x67000d } },
  [GIS_COLOR_RAMP_BLUES] = { "blues", N_("Blues"), 9,
    { 0xf7fbff, 0xdeebf7, 0xc6dbef, 0x9ecae1, 0x6baed6, 0x4292c6, 0x2171b5, 0x08519c, 0x08306b } },
  [GIS_COLOR_RAMP_GREENS] = { "greens", N_("Greens"), 9,
    { 0xf7fcf5, 0xe5f5e0, 0xc7e9c0, 0xa1d99b, 0x74c476, 0x41ab5d, 0x238b45, 0x006d2c, 0x00441b } },
  [GIS_COLOR_RAMP_ORANGES] = { "oranges", N_("Oranges"), 9,
    { 0xfff5eb, 0xfee6ce, 0xfdd0a2, 0xfdae6b, 0xfd8d3c, 0xf16913, 0xd94801, 0xa63603, 0x7f2704 } },
  [GIS_COLOR_RAMP_PURPLES] = { "purples", N_("Purples"), 9,
    { 0xfcfbfd, 0xefedf5, 0xdadaeb, 0xbcbddc, 0x9e9ac8, 0x807dba, 0x6a51a3, 0x54278f, 0x3f007d } },
  [GIS_COLOR_RAMP_YLORRD] = { "ylorrd", N_("Yellow–orange–red"), 9,
    { 0xffffcc, 0xffeda0, 0xfed976, 0xfeb24c, 0xfd8d3c, 0xfc4e2a, 0xe31a1c, 0xbd0026, 0x800026 } },
  [GIS_COLOR_RAMP_YLGNBU] = { "ylgnbu", N_("Yellow–green–blue"), 9,
    { 0xffffd9, 0xedf8b1, 0xc7e9b4, 0x7fcdbb, 0x41b6c4, 0x1d91c0, 0x225ea8, 0x253494, 0x081d58 } },
  [GIS_COLOR_RAMP_RDYLGN] = { "rdylgn", N_("Red–yellow–green"), 11,
    { 0xa50026, 0xd73027, 0xf46d43, 0xfdae61, 0xfee08b, 0xffffbf, 0xd9ef8b, 0xa6d96a, 0x66bd63,
      0x1a9850, 0x006837 } },
  [GIS_COLOR_RAMP_SPECTRAL] = { "spectral", N_("Spectral"), 11,
    { 0x9e0142, 0xd53e4f, 0xf46d43, 0xfdae61, 0xfee08b, 0xffffbf, 0xe6f598, 0xabdda4, 0x66c2a5,
      0x3288bd, 0x5e4fa2 } },
  [GIS_COLOR_RAMP_VIRIDIS] = { "viridis", N_("Viridis"), 9,
    { 0x440154, 0x472d7b, 0x3b528b, 0x2c728e, 0x21918c, 0x28ae80, 0x5ec962, 0xaddc30, 0xfde725 } },
};

/**
 * gis_color_ramp_sample:
 * @ramp: a built-in ramp
 * @t: where on the ramp, 0 (first stop) to 1 (last stop); clamped, and
 *   NaN reads as 0
 * @out_color: (out): the opaque colour, linearly interpolated in sRGB
 *   between the two nearest stops
 */
void
gis_color_ramp_sample (GisColorRamp  ramp,
                       double        t,
                       GisColor     *out_color)
{
  const RampDef *def;
  double pos, f;
  guint i;
  guint32 c0, c1;

  g_return_if_fail (out_color != NULL);
  g_return_if_fail ((guint) ramp < GIS_N_COLOR_RAMPS);

  def = &ramps[ramp];
  if (!(t > 0))
    t = 0;
  if (t > 1)
    t = 1;
  pos = t * (def->n_stops - 1);
  i = (guint) pos;
  if (i >= def->n_stops - 1)
    i = def->n_stops - 2;
  f = pos - i;
  c0 = def->stops[i];
  c1 = def->stops[i + 1];

#define CH(c, shift) (((c) >> (shift)) & 0xff) / 255.0
  out_color->r = CH (c0, 16) + f * (CH (c1, 16) - CH (c0, 16));
  out_color->g = CH (c0, 8) + f * (CH (c1, 8) - CH (c0, 8));
  out_color->b = CH (c0, 0) + f * (CH (c1, 0) - CH (c0, 0));
#undef CH
  out_color->a = 1.0;
}

/**
 * gis_color_ramp_to_string:
 *
 * Returns: (transfer none): the ramp's id in style JSON ("reds", "viridis"...)
 */
const char *
gis_color_ramp_to_string (GisColorRamp ramp)
{
  g_return_val_if_fail ((guint) ramp < GIS_N_COLOR_RAMPS, NULL);
  return ramps[ramp].id;
}

gboolean
gis_color_ramp_from_string (const char   *str,
                            GisColorRamp *out_ramp)
{
  g_return_val_if_fail (out_ramp != NULL, FALSE);

  if (str == NULL)
    return FALSE;
  for (guint i = 0; i < GIS_N_COLOR_RAMPS; i++)
    if (g_ascii_strcasecmp (str, ramps[i].id) == 0)
      {
        *out_ramp = (GisColorRamp) i;
        return TRUE;
      }
  return FALSE;
}

/**
 * gis_color_ramp_to_label:
 *
 * Returns: (transfer none): the ramp's translated name
 */
const char *
gis_color_ramp_to_label (GisColorRamp ramp)
{
  g_return_val_if_fail ((guint) ramp < GIS_N_COLOR_RAMPS, NULL);
  return _(ramps[ramp].label);
}
