/* gis-color.h: colours and colour ramps of map styles
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * GisColor:
 * @r: red, 0 to 1
 * @g: green, 0 to 1
 * @b: blue, 0 to 1
 * @a: alpha (opacity), 0 to 1
 *
 * An sRGB colour, not premultiplied.  A plain value (gis/ knows no
 * GdkRGBA); styles store colours with 8 bits per channel, as the
 * "#rrggbbaa" strings of their JSON form.
 */
typedef struct
{
  double r;
  double g;
  double b;
  double a;
} GisColor;

#define GIS_TYPE_COLOR (gis_color_get_type ())

GType     gis_color_get_type   (void) G_GNUC_CONST;
GisColor *gis_color_copy       (const GisColor *color);
void      gis_color_free       (GisColor       *color);
gboolean  gis_color_parse      (const char     *str,
                                GisColor       *out_color);
char     *gis_color_to_string  (const GisColor *color);
gboolean  gis_color_equal      (const GisColor *a,
                                const GisColor *b);
void      gis_color_from_hsv   (double          h_deg,
                                double          s,
                                double          v,
                                double          alpha,
                                GisColor       *out_color);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GisColor, gis_color_free)

/**
 * GisColorRamp:
 * @GIS_COLOR_RAMP_REDS: ColorBrewer Reds (sequential)
 * @GIS_COLOR_RAMP_BLUES: ColorBrewer Blues
 * @GIS_COLOR_RAMP_GREENS: ColorBrewer Greens
 * @GIS_COLOR_RAMP_ORANGES: ColorBrewer Oranges
 * @GIS_COLOR_RAMP_PURPLES: ColorBrewer Purples
 * @GIS_COLOR_RAMP_YLORRD: ColorBrewer YlOrRd
 * @GIS_COLOR_RAMP_YLGNBU: ColorBrewer YlGnBu
 * @GIS_COLOR_RAMP_RDYLGN: ColorBrewer RdYlGn (diverging)
 * @GIS_COLOR_RAMP_SPECTRAL: ColorBrewer Spectral (diverging)
 * @GIS_COLOR_RAMP_VIRIDIS: a perceptually uniform ramp like matplotlib's viridis
 *
 * The built-in colour ramps.  The ColorBrewer ones (Cynthia Brewer,
 * colorbrewer2.org, Apache-2.0) use their 9-class (sequential) or
 * 11-class (diverging) colours as stops.
 */
typedef enum
{
  GIS_COLOR_RAMP_REDS,
  GIS_COLOR_RAMP_BLUES,
  GIS_COLOR_RAMP_GREENS,
  GIS_COLOR_RAMP_ORANGES,
  GIS_COLOR_RAMP_PURPLES,
  GIS_COLOR_RAMP_YLORRD,
  GIS_COLOR_RAMP_YLGNBU,
  GIS_COLOR_RAMP_RDYLGN,
  GIS_COLOR_RAMP_SPECTRAL,
  GIS_COLOR_RAMP_VIRIDIS,
  GIS_N_COLOR_RAMPS
} GisColorRamp;

void        gis_color_ramp_sample      (GisColorRamp  ramp,
                                        double        t,
                                        GisColor     *out_color);
const char *gis_color_ramp_to_string   (GisColorRamp  ramp);
gboolean    gis_color_ramp_from_string (const char   *str,
                                        GisColorRamp *out_ramp);
const char *gis_color_ramp_to_label    (GisColorRamp  ramp);

G_END_DECLS
