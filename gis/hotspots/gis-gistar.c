/* gis-gistar.c: Getis-Ord Gi*, its FDR bins and the scale of analysis
 *
 * Gi* (Getis and Ord 1992, 1995; DESIGN §6) for location i with weights
 * w_ij over every j, i included:
 *
 *   G*_i = (Σ_j w_ij x_j − x̄ W_i) / (S √((n S1_i − W_i²) / (n − 1)))
 *
 * with W_i = Σ_j w_ij, S1_i = Σ_j w_ij², x̄ the mean and S² = Σ (x − x̄)² / n
 * (spdep's localG computes S² the same way, centred).  Neighbours come from
 * a grid of cells of the band's side: a location reads the 3 × 3 cells
 * around its own, O(n · neighbours).  Locations are visited cell by cell,
 * chunks of them on threads; each writes only its own results.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "gis-gistar"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gis-error.h"
#include "gis-gistar.h"
#include "gis-hotspots-private.h"

#define BAND_TOLERANCE 1e-9
#define CHUNK 2048
#define SQRT3_2 0.86602540378443864676

/* ---- bins --------------------------------------------------------------------- */

void
gis_bins_clear (GisBins *bins)
{
  g_clear_pointer (&bins->x, g_free);
  g_clear_pointer (&bins->y, g_free);
  g_clear_pointer (&bins->value, g_free);
  g_clear_pointer (&bins->count, g_free);
  g_clear_pointer (&bins->col, g_free);
  g_clear_pointer (&bins->row, g_free);
  g_clear_pointer (&bins->point_bin, g_free);
  memset (bins, 0, sizeof *bins);
}

/**
 * gis_bins_area_m2:
 *
 * Returns: the area of one bin: c² for squares, c² √3 / 2 for hexagons
 */
double
gis_bins_area_m2 (GisBinShape shape,
                  double      cell_size_m)
{
  return shape == GIS_BIN_HEXAGON ? cell_size_m * cell_size_m * SQRT3_2 : cell_size_m * cell_size_m;
}

/* the hexagon (axial q, r) holding (x, y): cube rounding */
static void
hex_of (double  x,
        double  y,
        double  c,
        gint64 *q,
        gint64 *r)
{
  double rf = y / (c * SQRT3_2), qf = x / c - rf / 2, sf = -qf - rf;
  double rq = round (qf), rr = round (rf), rs = round (sf);
  double dq = fabs (rq - qf), dr = fabs (rr - rf), ds = fabs (rs - sf);

  if (dq > dr && dq > ds)
    rq = -rr - rs;
  else if (dr > ds)
    rr = -rq - rs;
  *q = (gint64) rq;
  *r = (gint64) rr;
}

/**
 * gis_bins_from_points:
 * @shape: squares or hexagons
 * @cell_size_m: the side of a square, or the distance between the centres
 *   of neighbouring hexagons
 * @x: (array length=n): eastings, metres
 * @y: (array length=n): northings, metres
 * @weights: (nullable) (array length=n): each point's weight; %NULL: 1 each
 * @n: the number of points, >= 1
 * @keep_empty: also make the empty bins of the lattice over the points'
 *   extent (a bin value of 0 is data for Gi*)
 * @out: (out caller-allocates): the bins, ordered by lattice row then
 *   column (offset column for hexagons), from the south-west
 * @error: return location for an error
 *
 * Returns: %TRUE on success
 */
gboolean
gis_bins_from_points (GisBinShape   shape,
                      double        cell_size_m,
                      const double *x,
                      const double *y,
                      const double *weights,
                      gsize         n,
                      gboolean      keep_empty,
                      GisBins      *out,
                      GError      **error)
{
  g_autofree gint64 *pc = NULL;
  g_autofree gint64 *pr = NULL;
  g_autofree guint64 *keys = NULL;
  g_autofree guint *order = NULL;
  gint64 cmin = G_MAXINT64, cmax = G_MININT64, rmin = G_MAXINT64, rmax = G_MININT64, ncols, nrows;
  double c = cell_size_m;
  guint nb = 0;

  g_return_val_if_fail (out != NULL, FALSE);
  memset (out, 0, sizeof *out);

  if ((guint) shape > GIS_BIN_HEXAGON || !(c > 0) || !isfinite (c))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("The bin size must be a positive distance"));
      return FALSE;
    }
  if (n == 0 || n > G_MAXINT / 4)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("There are no points to bin, or too many"));
      return FALSE;
    }

  pc = g_new (gint64, n);
  pr = g_new (gint64, n);
  for (gsize i = 0; i < n; i++)
    {
      if (!isfinite (x[i]) || !isfinite (y[i]) || fabs (x[i] / c) > 1e9 || fabs (y[i] / c) > 1e9 ||
          (weights != NULL && !isfinite (weights[i])))
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                       _("Point %zu has no valid coordinates or weight, or is too far for bins this small"),
                       i + 1);
          return FALSE;
        }
      if (shape == GIS_BIN_SQUARE)
        {
          pc[i] = (gint64) floor (x[i] / c);
          pr[i] = (gint64) floor (y[i] / c);
        }
      else
        {
          gint64 q, r;

          hex_of (x[i], y[i], c, &q, &r);
          pr[i] = r;
          pc[i] = q + (r - (r & 1)) / 2;      /* offset column, odd rows shifted east */
        }
      cmin = MIN (cmin, pc[i]);
      cmax = MAX (cmax, pc[i]);
      rmin = MIN (rmin, pr[i]);
      rmax = MAX (rmax, pr[i]);
    }
  ncols = cmax - cmin + 1;
  nrows = rmax - rmin + 1;
  if (keep_empty && (double) ncols * (double) nrows > GIS_BINS_MAX)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("%.0f bins are too many; choose larger bins"), (double) ncols * (double) nrows);
      return FALSE;
    }

  keys = g_new (guint64, n);
  for (gsize i = 0; i < n; i++)
    keys[i] = (guint64) (pr[i] - rmin) * (guint64) ncols + (guint64) (pc[i] - cmin);

  out->point_bin = g_new (guint, n);
  if (keep_empty)
    {
      nb = (guint) (ncols * nrows);
      for (gsize i = 0; i < n; i++)
        out->point_bin[i] = (guint) keys[i];
    }
  else
    {
      g_autofree guint64 *sorted = g_memdup2 (keys, n * sizeof (guint64));

      order = g_new (guint, n);
      for (gsize i = 0; i < n; i++)
        order[i] = (guint) i;
      gis_hotspots_sort_keys (sorted, order, n);
      for (gsize s = 0; s < n; s++)
        {
          if (s > 0 && sorted[s] != sorted[s - 1])
            nb++;
          out->point_bin[order[s]] = nb;
        }
      nb++;
      /* keys now hold each bin's lattice key */
      for (gsize s = 0; s < n; s++)
        keys[out->point_bin[order[s]]] = sorted[s];
    }

  out->shape = shape;
  out->cell_size_m = c;
  out->n = nb;
  out->x = g_new (double, nb);
  out->y = g_new (double, nb);
  out->value = g_new0 (double, nb);
  out->count = g_new0 (guint, nb);
  out->col = g_new (gint32, nb);
  out->row = g_new (gint32, nb);
  for (guint b = 0; b < nb; b++)
    {
      guint64 key = keep_empty ? b : keys[b];
      gint64 row = (gint64) (key / (guint64) ncols) + rmin, col = (gint64) (key % (guint64) ncols) + cmin;

      if (shape == GIS_BIN_SQUARE)
        {
          out->x[b] = (col + 0.5) * c;
          out->y[b] = (row + 0.5) * c;
          out->col[b] = (gint32) col;
        }
      else
        {
          out->x[b] = c * (col + 0.5 * (double) (row & 1));
          out->y[b] = c * SQRT3_2 * row;
          out->col[b] = (gint32) (col - (row - (row & 1)) / 2);   /* axial q */
        }
      out->row[b] = (gint32) row;
    }
  for (gsize i = 0; i < n; i++)
    {
      out->count[out->point_bin[i]]++;
      out->value[out->point_bin[i]] += weights != NULL ? weights[i] : 1;
    }
  return TRUE;
}

/* ---- Gi* ---------------------------------------------------------------------- */

void
gis_gistar_result_clear (GisGiStarResult *result)
{
  g_clear_pointer (&result->z, g_free);
  g_clear_pointer (&result->p, g_free);
  g_clear_pointer (&result->n_neighbours, g_free);
  g_clear_pointer (&result->bin, g_free);
  memset (result, 0, sizeof *result);
}

/**
 * gis_normal_two_sided_p:
 *
 * Returns: P(|Z| >= |z|) for a standard normal Z: erfc(|z| / √2)
 */
double
gis_normal_two_sided_p (double z)
{
  return erfc (fabs (z) / G_SQRT2);
}

typedef struct
{
  const GisGiStarParams *params;
  const GisPointGrid    *grid;
  const double          *values;      /* in grid order */
  const double          *raw;         /* by index */
  double                 band2;       /* squared, with the tolerance */
  double                 d0, power;
  double                 mean, sd;
  guint                  n;
  GisGiStarResult       *out;
} GiStar;

static void
gistar_finish (GiStar *g,
               guint   i,
               double  lag,
               double  w,
               double  s1,
               guint   count)
{
  double n = g->n, var = (n * s1 - w * w) / (n - 1);
  double z = 0;

  if (g->sd > 0 && var > 0)
    z = (lag - g->mean * w) / (g->sd * sqrt (var));
  g->out->z[i] = z;
  g->out->p[i] = gis_normal_two_sided_p (z);
  g->out->n_neighbours[i] = count;
}

static void
gistar_chunk (guint    worker,
              guint    begin,
              guint    end,
              gpointer data)
{
  GiStar *g = data;
  const GisPointGrid *grid = g->grid;
  GisGiStarWeights kind = g->params->weights;
  g_autofree guint *idx = NULL;
  g_autofree double *d2 = NULL;

  if (kind == GIS_GISTAR_WEIGHTS_KNN)
    {
      idx = g_new (guint, g->params->k);
      d2 = g_new (double, g->params->k);
    }

  for (guint s = begin; s < end; s++)
    {
      double xi = grid->sx[s], yi = grid->sy[s];
      double lag = g->values[s], w = 1, s1 = 1;     /* the location itself, w_ii = 1 */
      guint count = 1;

      if (kind == GIS_GISTAR_WEIGHTS_KNN)
        {
          guint found = gis_point_grid_knn (grid, xi, yi, grid->order[s], g->params->k, idx, d2);

          for (guint f = 0; f < found; f++)
            lag += g->raw[idx[f]];
          w = s1 = count = found + 1;
        }
      else
        {
          gint64 row, col;

          gis_point_grid_locate (grid, xi, yi, &row, &col);
          for (gint64 r = row - 1; r <= row + 1; r++)
            for (gint64 c = col - 1; c <= col + 1; c++)
              {
                gint64 cell = gis_point_grid_find (grid, r, c);

                if (cell < 0)
                  continue;
                for (guint t = grid->start[cell]; t < grid->start[cell + 1]; t++)
                  {
                    double dx = grid->sx[t] - xi, dy = grid->sy[t] - yi, dd = dx * dx + dy * dy;

                    if (t == s || !(dd <= g->band2))
                      continue;
                    if (kind == GIS_GISTAR_WEIGHTS_BAND)
                      {
                        lag += g->values[t];
                        w += 1;
                        s1 += 1;
                      }
                    else
                      {
                        double d = sqrt (dd), wij = pow (g->d0 / MAX (d, g->d0), g->power);

                        lag += wij * g->values[t];
                        w += wij;
                        s1 += wij * wij;
                      }
                    count++;
                  }
              }
        }
      gistar_finish (g, grid->order[s], lag, w, s1, count);
    }
}

static int
compare_double (const void *a,
                const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/**
 * gis_gistar_fdr_bins:
 * @z: (array length=n): z-scores
 * @p: (array length=n): their p-values
 * @n: the number of locations
 * @out_bins: (array length=n): −3 … 3
 * @out_thresholds: (out) (optional): the largest p found significant at
 *   90, 95 and 99 % (−1 where none is)
 *
 * Benjamini-Hochberg step-up at α = 0.10, 0.05, 0.01: with the m finite
 * p-values sorted, p(1) <= … <= p(m), the threshold at α is p(k) for the
 * largest k with p(k) <= α k / m; a location is significant at α when its
 * p is at most that threshold.  Its bin is ±3 at 99 %, else ±2 at 95 %,
 * else ±1 at 90 %, else 0, the sign of z (DESIGN §6; z and p unadjusted).
 */
void
gis_gistar_fdr_bins (const double *z,
                     const double *p,
                     gsize         n,
                     gint8        *out_bins,
                     double        out_thresholds[3])
{
  static const double alpha[3] = { 0.10, 0.05, 0.01 };
  g_autofree double *sorted = g_new (double, MAX (n, 1));
  double thr[3] = { -1, -1, -1 };
  gsize m = 0;

  for (gsize i = 0; i < n; i++)
    if (isfinite (p[i]))
      sorted[m++] = p[i];
  qsort (sorted, m, sizeof (double), compare_double);
  for (guint a = 0; a < 3; a++)
    for (gsize k = m; k >= 1; k--)
      if (sorted[k - 1] <= alpha[a] * (double) k / (double) m)
        {
          thr[a] = sorted[k - 1];
          break;
        }
  for (gsize i = 0; i < n; i++)
    {
      gint8 level = 0;

      if (isfinite (p[i]) && z[i] != 0)
        level = p[i] <= thr[2] ? 3 : p[i] <= thr[1] ? 2 : p[i] <= thr[0] ? 1 : 0;
      out_bins[i] = z[i] < 0 ? -level : level;
    }
  if (out_thresholds != NULL)
    memcpy (out_thresholds, thr, sizeof thr);
}

static gboolean
check_locations (const double  *x,
                 const double  *y,
                 const double  *values,
                 gsize          n,
                 gsize          at_least,
                 GError       **error)
{
  if (n < at_least || n > G_MAXINT / 4)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("%zu locations: at least %zu are needed"), n, at_least);
      return FALSE;
    }
  for (gsize i = 0; i < n; i++)
    if (!isfinite (x[i]) || !isfinite (y[i]) || (values != NULL && !isfinite (values[i])))
      {
        g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                     _("Location %zu has no valid coordinates or value"), i + 1);
        return FALSE;
      }
  return TRUE;
}

/* a cell for the grid of a kNN search: about k + 1 locations per cell */
static double
knn_cell (const double *x,
          const double *y,
          gsize         n,
          guint         k)
{
  double xmin = G_MAXDOUBLE, ymin = G_MAXDOUBLE, xmax = -G_MAXDOUBLE, ymax = -G_MAXDOUBLE, area, cell;

  for (gsize i = 0; i < n; i++)
    {
      xmin = MIN (xmin, x[i]);
      xmax = MAX (xmax, x[i]);
      ymin = MIN (ymin, y[i]);
      ymax = MAX (ymax, y[i]);
    }
  area = MAX (xmax - xmin, 1e-9) * MAX (ymax - ymin, 1e-9);
  cell = sqrt (area * (k + 1) / MAX (n, 1));
  cell = MAX (cell, MAX (xmax - xmin, ymax - ymin) / 1e6);
  return cell > 0 && isfinite (cell) ? cell : 1;
}

/**
 * gis_gistar_run:
 * @x: (array length=n): eastings, metres
 * @y: (array length=n): northings, metres
 * @values: (array length=n): the value at each location
 * @n: the number of locations, >= 3
 * @params: the weights
 * @out: (out caller-allocates): z, p, neighbour counts and FDR bins
 * @cancellable: (nullable): stops the work
 * @progress: (nullable) (scope call): told how far it is
 * @progress_data: closure
 * @error: return location for an error
 *
 * Where Gi* is undefined (all values equal, or every location a neighbour
 * of i with equal weights) z is 0 and p is 1.
 *
 * Returns: %TRUE on success
 */
gboolean
gis_gistar_run (const double          *x,
                const double          *y,
                const double          *values,
                gsize                  n,
                const GisGiStarParams *params,
                GisGiStarResult       *out,
                GCancellable          *cancellable,
                GisProgressFunc        progress,
                gpointer               progress_data,
                GError               **error)
{
  GisPointGrid grid = { 0 };
  GiStar g = { 0 };
  g_autofree double *sorted_values = NULL;
  double cell, ss = 0;
  gboolean ok;

  g_return_val_if_fail (params != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  memset (out, 0, sizeof *out);

  if (!check_locations (x, y, values, n, 3, error))
    return FALSE;
  switch (params->weights)
    {
    case GIS_GISTAR_WEIGHTS_BAND:
    case GIS_GISTAR_WEIGHTS_INVERSE_DISTANCE:
      if (!(params->band_m > 0) || !isfinite (params->band_m))
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("The distance band must be a positive distance"));
          return FALSE;
        }
      if (params->weights == GIS_GISTAR_WEIGHTS_INVERSE_DISTANCE &&
          (params->power < 0 || !isfinite (params->power) || params->idw_min_m < 0 || !isfinite (params->idw_min_m)))
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("The inverse-distance power and minimum distance must not be negative"));
          return FALSE;
        }
      cell = params->band_m * (1 + BAND_TOLERANCE) * (1 + 1e-12);
      break;
    case GIS_GISTAR_WEIGHTS_KNN:
      if (params->k == 0 || params->k >= n)
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                       _("The number of neighbours must be between 1 and the number of locations less one"));
          return FALSE;
        }
      cell = knn_cell (x, y, n, params->k);
      break;
    default:
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("Unknown kind of weights"));
      return FALSE;
    }

  g.params = params;
  g.n = (guint) n;
  g.out = out;
  for (gsize i = 0; i < n; i++)
    g.mean += values[i];
  g.mean /= n;
  for (gsize i = 0; i < n; i++)
    ss += (values[i] - g.mean) * (values[i] - g.mean);
  g.sd = sqrt (ss / n);
  g.band2 = pow (params->band_m * (1 + BAND_TOLERANCE), 2);
  g.power = params->power > 0 ? params->power : 1;

  gis_point_grid_init (&grid, x, y, (guint) n, cell);
  g.grid = &grid;
  sorted_values = g_new (double, n);
  for (guint s = 0; s < n; s++)
    sorted_values[s] = values[grid.order[s]];
  g.values = sorted_values;
  g.raw = values;
  if (params->weights == GIS_GISTAR_WEIGHTS_INVERSE_DISTANCE)
    g.d0 = params->idw_min_m > 0 ? params->idw_min_m : gis_point_grid_mean_kth_distance (&grid, 1);
  if (!(g.d0 > 0) && params->weights == GIS_GISTAR_WEIGHTS_INVERSE_DISTANCE)
    g.d0 = params->band_m;

  out->n = (guint) n;
  out->z = g_new (double, n);
  out->p = g_new (double, n);
  out->n_neighbours = g_new (guint, n);
  out->bin = g_new0 (gint8, n);
  out->mean = g.mean;
  out->sd = g.sd;
  out->idw_min_m = g.d0;

  ok = gis_hotspots_parallel ((guint) n, CHUNK, gis_hotspots_n_workers (params->n_threads, (guint) n, CHUNK),
                              gistar_chunk, &g, cancellable, progress, progress_data, _("Getis-Ord Gi*"), error);
  gis_point_grid_clear (&grid);
  if (!ok)
    {
      gis_gistar_result_clear (out);
      return FALSE;
    }
  gis_gistar_fdr_bins (out->z, out->p, n, out->bin, out->fdr_p);
  return TRUE;
}

/* ---- the scale of analysis ------------------------------------------------------ */

void
gis_gistar_scale_clear (GisGiStarScale *scale)
{
  g_clear_pointer (&scale->bands_m, g_free);
  g_clear_pointer (&scale->moran_i, g_free);
  g_clear_pointer (&scale->moran_z, g_free);
  g_clear_pointer (&scale->reason, g_free);
  memset (scale, 0, sizeof *scale);
}

static double
longer_side (const double *x,
             const double *y,
             gsize         n)
{
  double xmin = G_MAXDOUBLE, ymin = G_MAXDOUBLE, xmax = -G_MAXDOUBLE, ymax = -G_MAXDOUBLE;

  for (gsize i = 0; i < n; i++)
    {
      xmin = MIN (xmin, x[i]);
      xmax = MAX (xmax, x[i]);
      ymin = MIN (ymin, y[i]);
      ymax = MAX (ymax, y[i]);
    }
  return n > 0 ? MAX (xmax - xmin, ymax - ymin) : 0;
}

typedef struct
{
  double x, y;
} XY;

static int
compare_xy (const void *a,
            const void *b)
{
  const XY *p = a, *q = b;

  if (p->x != q->x)
    return p->x < q->x ? -1 : 1;
  return p->y < q->y ? -1 : p->y > q->y;
}

/**
 * gis_gistar_auto_cell_size:
 * @x: (array length=n): eastings of the points, metres
 * @y: (array length=n): northings
 * @n: the number of points
 * @out_cell_size_m: (out): the bin size
 * @out_reason: (out) (optional) (transfer full): why, for the method record
 * @error: return location for an error
 *
 * The aggregation cell from nearest-neighbour statistics: the mean
 * distance from each distinct location to the nearest other one, but no
 * less than 0.1 % of the longer side of the extent (so no more than about
 * a million bins span it).
 *
 * Returns: %TRUE on success; %FALSE with fewer than two distinct points
 */
gboolean
gis_gistar_auto_cell_size (const double  *x,
                           const double  *y,
                           gsize          n,
                           double        *out_cell_size_m,
                           char         **out_reason,
                           GError       **error)
{
  g_autofree XY *pts = NULL;
  g_autofree double *ux = NULL;
  g_autofree double *uy = NULL;
  GisPointGrid grid = { 0 };
  gsize m = 0;
  double nn, floor_m, cell;

  g_return_val_if_fail (out_cell_size_m != NULL, FALSE);
  *out_cell_size_m = 0;
  if (out_reason != NULL)
    *out_reason = NULL;
  if (!check_locations (x, y, NULL, n, 2, error))
    return FALSE;

  pts = g_new (XY, n);
  for (gsize i = 0; i < n; i++)
    pts[i] = (XY) { x[i], y[i] };
  qsort (pts, n, sizeof (XY), compare_xy);
  ux = g_new (double, n);
  uy = g_new (double, n);
  for (gsize i = 0; i < n; i++)
    if (i == 0 || compare_xy (&pts[i], &pts[i - 1]) != 0)
      {
        ux[m] = pts[i].x;
        uy[m++] = pts[i].y;
      }
  if (m < 2)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("The points are all at one place: give a bin size"));
      return FALSE;
    }
  gis_point_grid_init (&grid, ux, uy, (guint) m, knn_cell (ux, uy, m, 1));
  nn = gis_point_grid_mean_kth_distance (&grid, 1);
  gis_point_grid_clear (&grid);
  floor_m = longer_side (ux, uy, m) / 1000;
  cell = MAX (nn, floor_m);
  *out_cell_size_m = cell;
  if (out_reason != NULL)
    {
      if (nn >= floor_m)
        *out_reason = g_strdup_printf (_("Bins of %.3f km: the mean distance from each of %zu"
                                         " distinct locations to the nearest other"), cell / 1000, m);
      else
        *out_reason = g_strdup_printf (_("Bins of %.3f km: 0.1 %% of the extent, more than the mean distance"
                                         " between nearest distinct locations (%.3f km)"), cell / 1000, nn / 1000);
    }
  return TRUE;
}

typedef struct
{
  const GisPointGrid *grid;
  const double       *zs;          /* centred values, grid order */
  const double       *bands;
  guint               n_bands;
  double              reach2;      /* the last band squared, with the tolerance */
  gint64              reach_cells;
  double             *s0;          /* per worker × n_bands */
  double             *s2;
  double             *cross;
} Moran;

/* the first band that holds distance @d */
static inline guint
band_of (const Moran *m,
         double       d)
{
  guint lo = 0, hi = m->n_bands;

  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;

      if (d <= m->bands[mid] * (1 + BAND_TOLERANCE))
        hi = mid;
      else
        lo = mid + 1;
    }
  return lo;
}

static void
moran_chunk (guint    worker,
             guint    begin,
             guint    end,
             gpointer data)
{
  Moran *m = data;
  const GisPointGrid *grid = m->grid;
  g_autofree double *cnt = g_new (double, m->n_bands);
  g_autofree double *cz = g_new (double, m->n_bands);
  double *s0 = m->s0 + (gsize) worker * m->n_bands;
  double *s2 = m->s2 + (gsize) worker * m->n_bands;
  double *cross = m->cross + (gsize) worker * m->n_bands;

  for (guint s = begin; s < end; s++)
    {
      double xi = grid->sx[s], yi = grid->sy[s], deg = 0, sum = 0;
      gint64 row, col;

      memset (cnt, 0, m->n_bands * sizeof (double));
      memset (cz, 0, m->n_bands * sizeof (double));
      gis_point_grid_locate (grid, xi, yi, &row, &col);
      for (gint64 r = row - m->reach_cells; r <= row + m->reach_cells; r++)
        for (gint64 c = col - m->reach_cells; c <= col + m->reach_cells; c++)
          {
            gint64 cell = gis_point_grid_find (grid, r, c);

            if (cell < 0)
              continue;
            for (guint t = grid->start[cell]; t < grid->start[cell + 1]; t++)
              {
                double dx = grid->sx[t] - xi, dy = grid->sy[t] - yi, dd = dx * dx + dy * dy;
                guint b;

                if (t == s || !(dd <= m->reach2))
                  continue;
                b = band_of (m, sqrt (dd));
                if (b < m->n_bands)
                  {
                    cnt[b] += 1;
                    cz[b] += m->zs[t];
                  }
              }
          }
      for (guint b = 0; b < m->n_bands; b++)
        {
          deg += cnt[b];
          sum += cz[b];
          s0[b] += deg;
          s2[b] += 4 * deg * deg;
          cross[b] += m->zs[s] * sum;
        }
    }
}

/**
 * gis_gistar_auto_scale:
 * @x: (array length=n): eastings of the locations (bins), metres
 * @y: (array length=n): northings
 * @values: (array length=n): their values
 * @n: the number of locations, >= 4
 * @params: (nullable): the bands to try; %NULL: 10 from the mean
 *   nearest-neighbour distance by that distance
 * @out: (out caller-allocates): the band, how it was chosen and why
 * @cancellable: (nullable): stops the work
 * @error: return location for an error
 *
 * The scale of analysis of DESIGN §6, as Optimized Hot Spot Analysis:
 * global Moran's I with binary weights within each band (the location
 * itself left out), its z under randomisation (Cliff and Ord 1981); the
 * band of the first peak (a z above both its neighbours' in the list)
 * whose z is significant (> 1.96, two-sided 5 %), else the band of the
 * largest significant z; when none is, the mean distance to the k-th
 * nearest neighbour, k = 5 % of n rounded, clamped to [3, 30] (and below
 * n), capped at the standard distance.  The band is at least 0.1 % of the
 * longer side of the extent.
 *
 * Returns: %TRUE on success
 */
gboolean
gis_gistar_auto_scale (const double               *x,
                       const double               *y,
                       const double               *values,
                       gsize                       n,
                       const GisGiStarScaleParams *params,
                       GisGiStarScale             *out,
                       GCancellable               *cancellable,
                       GError                    **error)
{
  GisPointGrid grid = { 0 };
  Moran m = { 0 };
  g_autofree double *zs = NULL;
  guint n_bands = params != NULL && params->n_bands > 0 ? params->n_bands : 10;
  guint workers, best = G_MAXUINT;
  double mean = 0, m2 = 0, m4 = 0, mx = 0, my = 0, sd2 = 0, nn, start, inc;
  gboolean ok;
  double nd = n;

  g_return_val_if_fail (out != NULL, FALSE);
  memset (out, 0, sizeof *out);
  if (!check_locations (x, y, values, n, 4, error))
    return FALSE;
  if (params != NULL && (params->start_m < 0 || params->increment_m < 0 ||
                         !isfinite (params->start_m) || !isfinite (params->increment_m) || n_bands > 1000))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("The bands to try are malformed"));
      return FALSE;
    }

  out->floor_m = longer_side (x, y, n) / 1000;
  if (!(out->floor_m > 0))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("The locations are all at one place"));
      return FALSE;
    }
  for (gsize i = 0; i < n; i++)
    {
      mean += values[i];
      mx += x[i];
      my += y[i];
    }
  mean /= nd;
  mx /= nd;
  my /= nd;
  zs = g_new (double, n);
  for (gsize i = 0; i < n; i++)
    {
      double d = values[i] - mean;

      m2 += d * d;
      m4 += d * d * d * d;
      sd2 += (x[i] - mx) * (x[i] - mx) + (y[i] - my) * (y[i] - my);
    }
  out->standard_distance_m = sqrt (sd2 / nd);

  gis_point_grid_init (&grid, x, y, (guint) n, knn_cell (x, y, n, 1));
  nn = gis_point_grid_mean_kth_distance (&grid, 1);
  start = params != NULL && params->start_m > 0 ? params->start_m : MAX (nn, out->floor_m);
  inc = params != NULL && params->increment_m > 0 ? params->increment_m : MAX (nn, out->floor_m);

  out->n_bands = n_bands;
  out->bands_m = g_new (double, n_bands);
  out->moran_i = g_new (double, n_bands);
  out->moran_z = g_new (double, n_bands);
  for (guint b = 0; b < n_bands; b++)
    out->bands_m[b] = start + b * inc;

  /* the pairs within the last band, once, each counted in its first band */
  {
    double reach = out->bands_m[n_bands - 1] * (1 + BAND_TOLERANCE) * (1 + 1e-12);
    GisPointGrid band_grid = { 0 };

    gis_point_grid_init (&band_grid, x, y, (guint) n, reach);
    for (guint s = 0; s < n; s++)
      zs[s] = values[band_grid.order[s]] - mean;
    workers = gis_hotspots_n_workers (0, (guint) n, CHUNK);
    m.grid = &band_grid;
    m.zs = zs;
    m.bands = out->bands_m;
    m.n_bands = n_bands;
    m.reach2 = pow (out->bands_m[n_bands - 1] * (1 + BAND_TOLERANCE), 2);
    m.reach_cells = 1;
    m.s0 = g_new0 (double, (gsize) workers * n_bands);
    m.s2 = g_new0 (double, (gsize) workers * n_bands);
    m.cross = g_new0 (double, (gsize) workers * n_bands);
    ok = gis_hotspots_parallel ((guint) n, CHUNK, workers, moran_chunk, &m, cancellable, NULL, NULL, NULL, error);
    gis_point_grid_clear (&band_grid);
  }

  if (ok)
    for (guint b = 0; b < n_bands; b++)
      {
        double s0 = 0, s2 = 0, cross = 0, s1, ei, b2, var, I;

        for (guint w = 0; w < workers; w++)
          {
            s0 += m.s0[w * n_bands + b];
            s2 += m.s2[w * n_bands + b];
            cross += m.cross[w * n_bands + b];
          }
        s1 = 2 * s0;
        ei = -1 / (nd - 1);
        out->moran_i[b] = NAN;
        out->moran_z[b] = NAN;
        if (s0 <= 0 || m2 <= 0)
          continue;
        I = nd / s0 * cross / m2;
        b2 = nd * m4 / (m2 * m2);
        var = (nd * ((nd * nd - 3 * nd + 3) * s1 - nd * s2 + 3 * s0 * s0) -
               b2 * ((nd * nd - nd) * s1 - 2 * nd * s2 + 6 * s0 * s0)) /
              ((nd - 1) * (nd - 2) * (nd - 3) * s0 * s0) - ei * ei;
        out->moran_i[b] = I;
        if (var > 0)
          out->moran_z[b] = (I - ei) / sqrt (var);
      }
  g_free (m.s0);
  g_free (m.s2);
  g_free (m.cross);
  if (!ok)
    {
      gis_point_grid_clear (&grid);
      gis_gistar_scale_clear (out);
      return FALSE;
    }

  /* the first significant peak */
  for (guint b = 1; b + 1 < n_bands && best == G_MAXUINT; b++)
    {
      double zb = out->moran_z[b];

      if (zb > 1.96 && zb > out->moran_z[b - 1] && zb > out->moran_z[b + 1])
        best = b;
    }
  if (best != G_MAXUINT)
    out->method = GIS_GISTAR_SCALE_PEAK;
  else
    {
      for (guint b = 0; b < n_bands; b++)
        if (out->moran_z[b] > 1.96 && (best == G_MAXUINT || out->moran_z[b] > out->moran_z[best]))
          best = b;
      out->method = best != G_MAXUINT ? GIS_GISTAR_SCALE_MAXIMUM : GIS_GISTAR_SCALE_NEIGHBOURS;
    }

  out->k = CLAMP ((guint) round (0.05 * nd), 3, 30);
  out->k = MIN (out->k, (guint) n - 1);
  out->kth_distance_m = gis_point_grid_mean_kth_distance (&grid, out->k);
  gis_point_grid_clear (&grid);

  switch (out->method)
    {
    case GIS_GISTAR_SCALE_PEAK:
      out->band_m = out->bands_m[best];
      out->reason = g_strdup_printf (_("Band %.3f km: the first significant peak of global Moran's I "
                                       "(z = %.2f) over %u bands from %.3f km by %.3f km"),
                                     out->band_m / 1000, out->moran_z[best], n_bands, start / 1000, inc / 1000);
      break;
    case GIS_GISTAR_SCALE_MAXIMUM:
      out->band_m = out->bands_m[best];
      out->reason = g_strdup_printf (_("Band %.3f km: no significant peak of global Moran's I; its largest "
                                       "significant z (%.2f) over %u bands from %.3f km by %.3f km"),
                                     out->band_m / 1000, out->moran_z[best], n_bands, start / 1000, inc / 1000);
      break;
    case GIS_GISTAR_SCALE_NEIGHBOURS:
      out->band_m = MIN (out->kth_distance_m, out->standard_distance_m);
      out->reason = g_strdup_printf (_("Band %.3f km: global Moran's I was not significant at any of %u bands "
                                       "from %.3f km by %.3f km; the mean distance to the nearest neighbour "
                                       "number %u (%.3f km, capped at the standard distance %.3f km)"),
                                     out->band_m / 1000, n_bands, start / 1000, inc / 1000,
                                     out->k, out->kth_distance_m / 1000, out->standard_distance_m / 1000);
      break;
    default:
      g_assert_not_reached ();
    }
  if (out->band_m < out->floor_m)
    {
      char *longer = g_strdup_printf (_("%s; raised to 0.1 %% of the extent"), out->reason);

      g_free (out->reason);
      out->reason = longer;
      out->band_m = out->floor_m;
    }
  return TRUE;
}
