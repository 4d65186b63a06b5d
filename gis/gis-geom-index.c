/* gis-geom-index.c: quick tests against areas and lines
 *
 * An area's edges listed by latitude band answer point-in-polygon by
 * crossing count, and say whether a small box (a point's, from an R*Tree)
 * is wholly inside, wholly outside, or touched by an edge.  Segments on a
 * grid answer "the nearest segment within r".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>

#include "gis-geom-index-private.h"
#include "gis-thread-private.h"

/* A point's box is grown by this before edges are tested against it, so
 * that a crossing test on its centre is never within rounding of an edge. */
#define BOX_MARGIN_DEG 1e-9

/* ---- areas: edges by latitude band ---------------------------------------- */

void
gis_poly_index_free (GisPolyIndex *pi)
{
  if (pi == NULL)
    return;
  g_free (pi->band_start);
  g_free (pi->band_items);
  g_free (pi->edges);
  g_free (pi);
}

static void
add_ring_edges (GEOSContextHandle_t  geos,
                const GEOSGeometry  *ring,
                GArray              *edges)
{
  const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r (geos, ring);
  unsigned int n = 0;
  double px = 0, py = 0;

  if (seq == NULL || !GEOSCoordSeq_getSize_r (geos, seq, &n))
    return;
  for (unsigned int i = 0; i < n; i++)
    {
      double x, y;

      GEOSCoordSeq_getXY_r (geos, seq, i, &x, &y);
      if (i > 0 && (x != px || y != py))
        {
          GisEdge e = { px, py, x, y };

          g_array_append_val (edges, e);
        }
      px = x;
      py = y;
    }
}

/* The rings of a polygon or multipolygon; NULL for anything else. */
GisPolyIndex *
gis_poly_index_new (const GEOSGeometry *g)
{
  GEOSContextHandle_t geos = gis_thread_get_geos ();
  int type = GEOSGeomTypeId_r (geos, g);
  g_autoptr(GArray) edges = g_array_new (FALSE, FALSE, sizeof (GisEdge));
  g_autofree guint *counts = NULL;
  GisPolyIndex *pi;
  int n_parts;

  if (type != GEOS_POLYGON && type != GEOS_MULTIPOLYGON)
    return NULL;

  n_parts = type == GEOS_POLYGON ? 1 : GEOSGetNumGeometries_r (geos, g);
  for (int p = 0; p < n_parts; p++)
    {
      const GEOSGeometry *poly = type == GEOS_POLYGON ? g : GEOSGetGeometryN_r (geos, g, p);
      int n_holes = GEOSGetNumInteriorRings_r (geos, poly);

      add_ring_edges (geos, GEOSGetExteriorRing_r (geos, poly), edges);
      for (int h = 0; h < n_holes; h++)
        add_ring_edges (geos, GEOSGetInteriorRingN_r (geos, poly, h), edges);
    }
  if (edges->len == 0)
    return NULL;

  pi = g_new0 (GisPolyIndex, 1);
  pi->n_edges = edges->len;
  pi->edges = (GisEdge *) g_array_free (g_steal_pointer (&edges), FALSE);
  gis_extent_init_empty (&pi->box);
  for (guint i = 0; i < pi->n_edges; i++)
    {
      gis_extent_add_point (&pi->box, pi->edges[i].x0, pi->edges[i].y0);
      gis_extent_add_point (&pi->box, pi->edges[i].x1, pi->edges[i].y1);
    }

  pi->n_bands = CLAMP (pi->n_edges / 4, 1, 4096);
  pi->band_h = (pi->box.max_y - pi->box.min_y) / pi->n_bands;
  if (!(pi->band_h > 0))
    {
      pi->n_bands = 1;
      pi->band_h = 1;
    }

  /* count, then place, each edge in every band its latitudes cross */
  counts = g_new0 (guint, pi->n_bands + 1);
  for (guint pass = 0; pass < 2; pass++)
    {
      if (pass == 1)
        {
          guint total = 0;

          pi->band_start = g_new (guint, pi->n_bands + 1);
          for (guint b = 0; b < pi->n_bands; b++)
            {
              pi->band_start[b] = total;
              total += counts[b];
              counts[b] = 0;
            }
          pi->band_start[pi->n_bands] = total;
          pi->band_items = g_new (guint, MAX (total, 1));
        }
      for (guint i = 0; i < pi->n_edges; i++)
        {
          GisEdge *e = &pi->edges[i];
          guint b0 = (guint) CLAMP ((MIN (e->y0, e->y1) - pi->box.min_y) / pi->band_h, 0, pi->n_bands - 1);
          guint b1 = (guint) CLAMP ((MAX (e->y0, e->y1) - pi->box.min_y) / pi->band_h, 0, pi->n_bands - 1);

          for (guint b = b0; b <= b1; b++)
            {
              if (pass == 1)
                pi->band_items[pi->band_start[b] + counts[b]] = i;
              counts[b]++;
            }
        }
    }
  return pi;
}

static inline guint
band_of (const GisPolyIndex *pi,
         double           y)
{
  double b = (y - pi->box.min_y) / pi->band_h;

  return (guint) CLAMP (b, 0, pi->n_bands - 1);
}

/* Even-odd crossings of the horizontal ray from (x, y) eastwards. */
gboolean
gis_poly_index_contains (const GisPolyIndex *pi,
                     double           x,
                     double           y)
{
  guint b = band_of (pi, y);
  gboolean inside = FALSE;

  for (guint k = pi->band_start[b]; k < pi->band_start[b + 1]; k++)
    {
      const GisEdge *e = &pi->edges[pi->band_items[k]];

      if ((e->y0 > y) != (e->y1 > y))
        {
          double xi = e->x0 + (y - e->y0) * (e->x1 - e->x0) / (e->y1 - e->y0);

          if (x < xi)
            inside = !inside;
        }
    }
  return inside;
}

static inline gboolean
edge_hits_box (const GisEdge *e,
               double      x0,
               double      y0,
               double      x1,
               double      y1)
{
  double dx, dy, s[4];

  if (MAX (e->x0, e->x1) < x0 || MIN (e->x0, e->x1) > x1 ||
      MAX (e->y0, e->y1) < y0 || MIN (e->y0, e->y1) > y1)
    return FALSE;
  dx = e->x1 - e->x0;
  dy = e->y1 - e->y0;
  s[0] = dx * (y0 - e->y0) - dy * (x0 - e->x0);
  s[1] = dx * (y0 - e->y0) - dy * (x1 - e->x0);
  s[2] = dx * (y1 - e->y0) - dy * (x0 - e->x0);
  s[3] = dx * (y1 - e->y0) - dy * (x1 - e->x0);
  if (s[0] > 0 && s[1] > 0 && s[2] > 0 && s[3] > 0)
    return FALSE;
  if (s[0] < 0 && s[1] < 0 && s[2] < 0 && s[3] < 0)
    return FALSE;
  return TRUE;
}

/* Where a small box (a point's, from the index) lies: wholly inside,
 * wholly outside, or touched by an edge. */
GisBoxClass
gis_poly_index_classify (const GisPolyIndex *pi,
                     double           x0,
                     double           y0,
                     double           x1,
                     double           y1)
{
  guint b0, b1;

  x0 -= BOX_MARGIN_DEG;
  y0 -= BOX_MARGIN_DEG;
  x1 += BOX_MARGIN_DEG;
  y1 += BOX_MARGIN_DEG;
  if (x1 < pi->box.min_x || x0 > pi->box.max_x || y1 < pi->box.min_y || y0 > pi->box.max_y)
    return GIS_BOX_OUTSIDE;

  b0 = band_of (pi, y0);
  b1 = band_of (pi, y1);
  for (guint b = b0; b <= b1; b++)
    for (guint k = pi->band_start[b]; k < pi->band_start[b + 1]; k++)
      if (edge_hits_box (&pi->edges[pi->band_items[k]], x0, y0, x1, y1))
        return GIS_BOX_UNSURE;

  return gis_poly_index_contains (pi, (x0 + x1) / 2, (y0 + y1) / 2) ? GIS_BOX_INSIDE : GIS_BOX_OUTSIDE;
}

/* ---- lines and rings in the analysis CRS: segments by grid cell ------------- */

void
gis_seg_index_free (GisSegIndex *si)
{
  if (si == NULL)
    return;
  g_free (si->cell_start);
  g_free (si->cell_items);
  g_free (si->segs);
  g_free (si);
}

static void
collect_segments (GEOSContextHandle_t  geos,
                  const GEOSGeometry  *g,
                  GArray              *segs)
{
  int type = GEOSGeomTypeId_r (geos, g);

  switch (type)
    {
    case GEOS_LINESTRING:
    case GEOS_LINEARRING:
      add_ring_edges (geos, g, segs);
      break;
    case GEOS_POLYGON:
      add_ring_edges (geos, GEOSGetExteriorRing_r (geos, g), segs);
      for (int h = 0; h < GEOSGetNumInteriorRings_r (geos, g); h++)
        add_ring_edges (geos, GEOSGetInteriorRingN_r (geos, g, h), segs);
      break;
    case GEOS_MULTILINESTRING:
    case GEOS_MULTIPOLYGON:
    case GEOS_GEOMETRYCOLLECTION:
      for (int i = 0; i < GEOSGetNumGeometries_r (geos, g); i++)
        collect_segments (geos, GEOSGetGeometryN_r (geos, g, i), segs);
      break;
    default:
      break;
    }
}

/* The segments of @projected on a grid of cells at least @min_cell wide. */
GisSegIndex *
gis_seg_index_new (const GEOSGeometry *projected,
               double              min_cell)
{
  GEOSContextHandle_t geos = gis_thread_get_geos ();
  g_autoptr(GArray) segs = g_array_new (FALSE, FALSE, sizeof (GisEdge));
  g_autofree guint *counts = NULL;
  GisExtent box;
  GisSegIndex *si;

  collect_segments (geos, projected, segs);
  if (segs->len == 0)
    return NULL;

  si = g_new0 (GisSegIndex, 1);
  si->n_segs = segs->len;
  si->segs = (GisEdge *) g_array_free (g_steal_pointer (&segs), FALSE);
  gis_extent_init_empty (&box);
  for (guint i = 0; i < si->n_segs; i++)
    {
      gis_extent_add_point (&box, si->segs[i].x0, si->segs[i].y0);
      gis_extent_add_point (&box, si->segs[i].x1, si->segs[i].y1);
    }
  si->cell = MAX (MAX (min_cell, 1.0), MAX (box.max_x - box.min_x, box.max_y - box.min_y) / 1024);
  si->x0 = box.min_x;
  si->y0 = box.min_y;
  si->nx = (guint) ((box.max_x - box.min_x) / si->cell) + 1;
  si->ny = (guint) ((box.max_y - box.min_y) / si->cell) + 1;

  counts = g_new0 (guint, si->nx * si->ny + 1);
  for (guint pass = 0; pass < 2; pass++)
    {
      if (pass == 1)
        {
          guint total = 0;

          si->cell_start = g_new (guint, si->nx * si->ny + 1);
          for (guint c = 0; c < si->nx * si->ny; c++)
            {
              si->cell_start[c] = total;
              total += counts[c];
              counts[c] = 0;
            }
          si->cell_start[si->nx * si->ny] = total;
          si->cell_items = g_new (guint, MAX (total, 1));
        }
      for (guint i = 0; i < si->n_segs; i++)
        {
          const GisEdge *e = &si->segs[i];
          guint cx0 = (guint) ((MIN (e->x0, e->x1) - si->x0) / si->cell);
          guint cx1 = (guint) ((MAX (e->x0, e->x1) - si->x0) / si->cell);
          guint cy0 = (guint) ((MIN (e->y0, e->y1) - si->y0) / si->cell);
          guint cy1 = (guint) ((MAX (e->y0, e->y1) - si->y0) / si->cell);

          for (guint cy = cy0; cy <= MIN (cy1, si->ny - 1); cy++)
            for (guint cx = cx0; cx <= MIN (cx1, si->nx - 1); cx++)
              {
                guint c = cy * si->nx + cx;

                if (pass == 1)
                  si->cell_items[si->cell_start[c] + counts[c]] = i;
                counts[c]++;
              }
        }
    }
  return si;
}

/* The nearest point of the segments to (px, py), if one lies within
 * @radius: its distance and where it is. */
gboolean
gis_seg_index_nearest (const GisSegIndex *si,
                   double          px,
                   double          py,
                   double          radius,
                   double         *out_d,
                   double         *out_x,
                   double         *out_y)
{
  double best = G_MAXDOUBLE, bx = 0, by = 0;
  long cx0 = (long) floor ((px - radius - si->x0) / si->cell);
  long cx1 = (long) floor ((px + radius - si->x0) / si->cell);
  long cy0 = (long) floor ((py - radius - si->y0) / si->cell);
  long cy1 = (long) floor ((py + radius - si->y0) / si->cell);

  cx0 = MAX (cx0, 0);
  cy0 = MAX (cy0, 0);
  cx1 = MIN (cx1, (long) si->nx - 1);
  cy1 = MIN (cy1, (long) si->ny - 1);
  for (long cy = cy0; cy <= cy1; cy++)
    for (long cx = cx0; cx <= cx1; cx++)
      {
        guint c = (guint) cy * si->nx + (guint) cx;

        for (guint k = si->cell_start[c]; k < si->cell_start[c + 1]; k++)
          {
            const GisEdge *e = &si->segs[si->cell_items[k]];
            double dx = e->x1 - e->x0, dy = e->y1 - e->y0;
            double len2 = dx * dx + dy * dy;
            double t = len2 > 0 ? ((px - e->x0) * dx + (py - e->y0) * dy) / len2 : 0;
            double qx, qy, d;

            t = CLAMP (t, 0.0, 1.0);
            qx = e->x0 + t * dx;
            qy = e->y0 + t * dy;
            d = hypot (px - qx, py - qy);
            if (d < best)
              {
                best = d;
                bx = qx;
                by = qy;
              }
          }
      }
  if (best > radius)
    return FALSE;
  *out_d = best;
  *out_x = bx;
  *out_y = by;
  return TRUE;
}

