/* gis-extent.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "gis-extent.h"

G_DEFINE_BOXED_TYPE (GisExtent, gis_extent, gis_extent_copy, gis_extent_free)

/**
 * gis_extent_copy:
 * @extent: an extent
 *
 * Returns: (transfer full): a copy of @extent
 */
GisExtent *
gis_extent_copy (const GisExtent *extent)
{
  g_return_val_if_fail (extent != NULL, NULL);

  return g_memdup2 (extent, sizeof *extent);
}

void
gis_extent_free (GisExtent *extent)
{
  g_free (extent);
}

void
gis_extent_init_empty (GisExtent *extent)
{
  g_return_if_fail (extent != NULL);

  extent->min_x = extent->min_y = INFINITY;
  extent->max_x = extent->max_y = -INFINITY;
}

gboolean
gis_extent_is_empty (const GisExtent *extent)
{
  g_return_val_if_fail (extent != NULL, TRUE);

  return !(extent->min_x <= extent->max_x && extent->min_y <= extent->max_y);
}

void
gis_extent_add_point (GisExtent *extent,
                      double     x,
                      double     y)
{
  extent->min_x = MIN (extent->min_x, x);
  extent->min_y = MIN (extent->min_y, y);
  extent->max_x = MAX (extent->max_x, x);
  extent->max_y = MAX (extent->max_y, y);
}

void
gis_extent_add_extent (GisExtent       *extent,
                       const GisExtent *other)
{
  g_return_if_fail (extent != NULL);
  g_return_if_fail (other != NULL);

  if (gis_extent_is_empty (other))
    return;

  gis_extent_add_point (extent, other->min_x, other->min_y);
  gis_extent_add_point (extent, other->max_x, other->max_y);
}

gboolean
gis_extent_intersects (const GisExtent *a,
                       const GisExtent *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  return a->min_x <= b->max_x && b->min_x <= a->max_x &&
         a->min_y <= b->max_y && b->min_y <= a->max_y;
}

/**
 * gis_extent_to_string:
 * @extent: an extent
 *
 * Returns: (transfer full): "min_x min_y max_x max_y" with full precision,
 *   in the C locale, or an empty string for an empty extent
 */
char *
gis_extent_to_string (const GisExtent *extent)
{
  char buf[4][G_ASCII_DTOSTR_BUF_SIZE];

  g_return_val_if_fail (extent != NULL, NULL);

  if (gis_extent_is_empty (extent))
    return g_strdup ("");

  return g_strdup_printf ("%s %s %s %s",
                          g_ascii_dtostr (buf[0], sizeof buf[0], extent->min_x),
                          g_ascii_dtostr (buf[1], sizeof buf[1], extent->min_y),
                          g_ascii_dtostr (buf[2], sizeof buf[2], extent->max_x),
                          g_ascii_dtostr (buf[3], sizeof buf[3], extent->max_y));
}

/**
 * gis_extent_parse:
 * @str: four numbers separated by spaces or commas
 * @out_extent: (out): the extent
 *
 * Returns: %TRUE if @str held four numbers with min <= max
 */
gboolean
gis_extent_parse (const char *str,
                  GisExtent  *out_extent)
{
  double v[4];
  const char *p = str;

  g_return_val_if_fail (out_extent != NULL, FALSE);

  if (str == NULL)
    return FALSE;

  for (guint i = 0; i < 4; i++)
    {
      char *end;

      while (*p == ' ' || *p == ',')
        p++;
      v[i] = g_ascii_strtod (p, &end);
      if (end == p || !isfinite (v[i]))
        return FALSE;
      p = end;
    }
  while (*p == ' ')
    p++;
  if (*p != '\0' || v[0] > v[2] || v[1] > v[3])
    return FALSE;

  out_extent->min_x = v[0];
  out_extent->min_y = v[1];
  out_extent->max_x = v[2];
  out_extent->max_y = v[3];
  return TRUE;
}
