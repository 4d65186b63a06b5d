/* gis-kde.c: kernel density of points on a grid
 *
 * The kernels.  A 2D radial kernel K(d) = c / r² · f(d / r) on the disc
 * d < r integrates to
 *
 *   ∫∫ K = ∫₀^2π ∫₀^r c / r² f(ρ / r) ρ dρ dθ = 2π c ∫₀¹ f(u) u du,
 *
 * so c = 1 / (2π ∫₀¹ f(u) u du):
 *
 *   quartic       f = (1 − u²)²   ∫ f u du = 1/6   c = 3/π
 *   triweight     f = (1 − u²)³   ∫ f u du = 1/8   c = 4/π
 *   Epanechnikov  f = 1 − u²      ∫ f u du = 1/4   c = 2/π
 *   uniform       f = 1           ∫ f u du = 1/2   c = 1/π
 *   triangular    f = 1 − u       ∫ f u du = 1/6   c = 3/π
 *
 * (with v = u², ∫₀¹ (1 − u²)^m u du = ½ ∫₀¹ (1 − v)^m dv = 1 / (2 (m + 1)),
 * and ∫₀¹ (1 − u) u du = ½ − ⅓).  In metres K is per m²; × 10⁶ per km².
 *
 * Both methods hand out the output rows to threads, each row computed in
 * full by one thread, so no two threads write the same value and the result
 * does not depend on the number of threads.  Points (or bins) are first
 * sorted by grid row, rows extended by the kernel's reach R = ⌈r / cell⌉ + 1
 * on either side; an output row reads the points of the 2R + 1 rows around
 * it, so the work is O(N · cells per disc + cells).
 *
 * The exact method evaluates the kernel at each cell centre for each point.
 * The fast method bins the points to the centres of a sub-grid (s × s
 * sub-cells per cell, s odd so the cell centre is a sub-cell centre; s = 1
 * bins to the cell centres), merging the points of a sub-cell, then adds
 * to each cell around a bin the stencil value for their offset, computed
 * once: a row of additions with no kernel evaluation.  None of the kernels
 * is separable (a product f(x) g(y)) on its disc, so the stencil is direct,
 * not two 1-D passes; an FFT would win only for radii of many hundreds of
 * cells.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "gis-kde"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gis-error.h"
#include "gis-hotspots-private.h"
#include "gis-kde.h"

#define ROW_CHUNK 4

void
gis_kde_result_clear (GisKdeResult *result)
{
  g_clear_pointer (&result->values, g_free);
  memset (result, 0, sizeof *result);
}

/**
 * gis_kde_kernel_constant:
 * @kernel: a kernel
 *
 * Returns: c such that c / r² · f(d / r) integrates to 1 over its disc
 */
double
gis_kde_kernel_constant (GisKdeKernel kernel)
{
  switch (kernel)
    {
    case GIS_KDE_KERNEL_QUARTIC:
      return 3 / G_PI;
    case GIS_KDE_KERNEL_TRIWEIGHT:
      return 4 / G_PI;
    case GIS_KDE_KERNEL_EPANECHNIKOV:
      return 2 / G_PI;
    case GIS_KDE_KERNEL_UNIFORM:
      return 1 / G_PI;
    case GIS_KDE_KERNEL_TRIANGULAR:
      return 3 / G_PI;
    default:
      g_return_val_if_reached (0);
    }
}

/* f as a function of q = (d / r)², q < 1 */
static inline double
profile (GisKdeKernel kernel,
         double       q)
{
  switch (kernel)
    {
    case GIS_KDE_KERNEL_QUARTIC:
      return (1 - q) * (1 - q);
    case GIS_KDE_KERNEL_TRIWEIGHT:
      return (1 - q) * (1 - q) * (1 - q);
    case GIS_KDE_KERNEL_EPANECHNIKOV:
      return 1 - q;
    case GIS_KDE_KERNEL_UNIFORM:
      return 1;
    case GIS_KDE_KERNEL_TRIANGULAR:
      return 1 - sqrt (q);
    default:
      g_assert_not_reached ();
    }
}

/**
 * gis_kde_kernel_value:
 * @kernel: a kernel
 * @d: distance from the point
 * @radius: the kernel's radius, > 0
 *
 * Returns: the kernel at @d, in the inverse square of @radius's unit
 */
double
gis_kde_kernel_value (GisKdeKernel kernel,
                      double       d,
                      double       radius)
{
  double q;

  g_return_val_if_fail (radius > 0, 0);
  q = (d * d) / (radius * radius);
  if (!(q < 1))
    return 0;
  return gis_kde_kernel_constant (kernel) / (radius * radius) * profile (kernel, q);
}

static const char *const kernel_names[] = {
  [GIS_KDE_KERNEL_QUARTIC] = "quartic",
  [GIS_KDE_KERNEL_TRIWEIGHT] = "triweight",
  [GIS_KDE_KERNEL_EPANECHNIKOV] = "epanechnikov",
  [GIS_KDE_KERNEL_UNIFORM] = "uniform",
  [GIS_KDE_KERNEL_TRIANGULAR] = "triangular",
};

/**
 * gis_kde_kernel_to_string:
 *
 * Returns: (transfer none): the kernel's name in method records and on the
 *   command line: quartic, triweight, epanechnikov, uniform, triangular
 */
const char *
gis_kde_kernel_to_string (GisKdeKernel kernel)
{
  g_return_val_if_fail ((guint) kernel < G_N_ELEMENTS (kernel_names), NULL);
  return kernel_names[kernel];
}

gboolean
gis_kde_kernel_from_string (const char   *str,
                            GisKdeKernel *out_kernel)
{
  g_return_val_if_fail (str != NULL, FALSE);
  for (guint k = 0; k < G_N_ELEMENTS (kernel_names); k++)
    if (g_ascii_strcasecmp (str, kernel_names[k]) == 0)
      {
        *out_kernel = (GisKdeKernel) k;
        return TRUE;
      }
  return FALSE;
}

static gboolean
check_points (const double  *x,
              const double  *y,
              const double  *weights,
              gsize          n,
              GError       **error)
{
  if (n > G_MAXINT / 4)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("Too many points: %zu"), n);
      return FALSE;
    }
  for (gsize i = 0; i < n; i++)
    {
      if (!isfinite (x[i]) || !isfinite (y[i]))
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                       _("Point %zu has no valid coordinates"), i + 1);
          return FALSE;
        }
      if (weights != NULL && !(weights[i] >= 0 && isfinite (weights[i])))
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                       _("Point %zu has a weight that is negative or not a number"), i + 1);
          return FALSE;
        }
    }
  return TRUE;
}

/* ---- Silverman's rule ------------------------------------------------------- */

typedef struct
{
  double d;
  double w;
} DistWeight;

static int
compare_dist (const void *a,
              const void *b)
{
  double x = ((const DistWeight *) a)->d, y = ((const DistWeight *) b)->d;

  return x < y ? -1 : x > y;
}

/**
 * gis_kde_silverman_radius:
 * @x: (array length=n): eastings, metres
 * @y: (array length=n): northings, metres
 * @weights: (nullable) (array length=n): each point's weight, >= 0; %NULL: 1 each
 * @n: the number of points
 * @out_radius_m: (out): the radius
 * @error: return location for an error
 *
 * The spatial Silverman rule of DESIGN §6 (as ArcGIS's Kernel Density):
 * 0.9 · min(SD, √(1 / ln 2) · Dm) · n^(−1/5), with SD the standard distance
 * √(Σ w ((x − x̄)² + (y − ȳ)²) / Σ w) about the (weighted) mean centre,
 * Dm the (weighted) median distance to that centre and n the sum of the
 * weights (the count without weights).  The weighted median is the first
 * distance whose cumulative weight reaches half the total, or the mean of
 * it and the next when it lands on half exactly, which with equal weights
 * is the ordinary median.
 *
 * Returns: %TRUE on success; %FALSE when the points do not spread
 */
gboolean
gis_kde_silverman_radius (const double  *x,
                          const double  *y,
                          const double  *weights,
                          gsize          n,
                          double        *out_radius_m,
                          GError       **error)
{
  g_autofree DistWeight *dw = NULL;
  double sw = 0, mx = 0, my = 0, ss = 0, dm = 0, cum = 0, sd, r;

  g_return_val_if_fail (n == 0 || (x != NULL && y != NULL), FALSE);
  g_return_val_if_fail (out_radius_m != NULL, FALSE);

  *out_radius_m = 0;
  if (!check_points (x, y, weights, n, error))
    return FALSE;
  for (gsize i = 0; i < n; i++)
    {
      double w = weights != NULL ? weights[i] : 1;

      sw += w;
      mx += w * x[i];
      my += w * y[i];
    }
  if (n < 2 || !(sw > 0))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("At least two weighted points are needed to choose a radius"));
      return FALSE;
    }
  mx /= sw;
  my /= sw;

  dw = g_new (DistWeight, n);
  for (gsize i = 0; i < n; i++)
    {
      double dx = x[i] - mx, dy = y[i] - my;

      dw[i].w = weights != NULL ? weights[i] : 1;
      dw[i].d = sqrt (dx * dx + dy * dy);
      ss += dw[i].w * (dx * dx + dy * dy);
    }
  sd = sqrt (ss / sw);
  qsort (dw, n, sizeof *dw, compare_dist);
  for (gsize i = 0; i < n; i++)
    {
      cum += dw[i].w;
      if (cum == sw / 2 && i + 1 < n)
        {
          dm = (dw[i].d + dw[i + 1].d) / 2;
          break;
        }
      if (cum > sw / 2)
        {
          dm = dw[i].d;
          break;
        }
    }

  r = 0.9 * MIN (sd, sqrt (1 / G_LN2) * dm) * pow (sw, -0.2);
  if (!(r > 0) || !isfinite (r))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("The points are all at one place: give a radius"));
      return FALSE;
    }
  *out_radius_m = r;
  return TRUE;
}

/* ---- the grid --------------------------------------------------------------- */

static gboolean
check_grid (const GisKdeGrid  *grid,
            GError           **error)
{
  if (!(grid->cell_size_m > 0) || !isfinite (grid->cell_size_m) ||
      !isfinite (grid->x_min) || !isfinite (grid->y_max))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("The cell size must be a positive distance"));
      return FALSE;
    }
  if (grid->nx == 0 || grid->ny == 0 || (guint64) grid->nx * grid->ny > GIS_KDE_MAX_CELLS)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("The grid of %u × %u cells is empty or too large; choose larger cells"),
                   grid->nx, grid->ny);
      return FALSE;
    }
  return TRUE;
}

/**
 * gis_kde_grid_for_points:
 * @x: (array length=n): eastings, metres
 * @y: (array length=n): northings, metres
 * @n: the number of points, >= 1
 * @radius_m: the kernel radius, > 0
 * @cell_size_m: the cell size, or 0 for the shorter side of the points'
 *   extent / 250 (the longer side if the points are on a line, r / 10 if
 *   they are at one place), as ArcGIS's Kernel Density, but at most r / 5
 *   so that a kernel spans 10 cells, and grown by steps of 25 % while the
 *   grid would exceed GIS_KDE_AUTO_MAX_CELLS
 * @out_grid: (out caller-allocates): the grid
 * @error: return location for an error
 *
 * The grid over the points' extent grown by @radius_m on every side, so it
 * holds every kernel whole.
 *
 * Returns: %TRUE on success
 */
gboolean
gis_kde_grid_for_points (const double  *x,
                         const double  *y,
                         gsize          n,
                         double         radius_m,
                         double         cell_size_m,
                         GisKdeGrid    *out_grid,
                         GError       **error)
{
  double xmin = G_MAXDOUBLE, ymin = G_MAXDOUBLE, xmax = -G_MAXDOUBLE, ymax = -G_MAXDOUBLE;
  double cols, rows;

  g_return_val_if_fail (out_grid != NULL, FALSE);

  memset (out_grid, 0, sizeof *out_grid);
  if (!check_points (x, y, NULL, n, error))
    return FALSE;
  if (n == 0)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("There are no points"));
      return FALSE;
    }
  if (!(radius_m > 0) || !isfinite (radius_m))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("The radius must be a positive distance"));
      return FALSE;
    }
  if (cell_size_m < 0 || !isfinite (cell_size_m))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("The cell size must be a positive distance"));
      return FALSE;
    }
  for (gsize i = 0; i < n; i++)
    {
      xmin = MIN (xmin, x[i]);
      xmax = MAX (xmax, x[i]);
      ymin = MIN (ymin, y[i]);
      ymax = MAX (ymax, y[i]);
    }
  if (cell_size_m == 0)
    {
      cell_size_m = MIN (xmax - xmin, ymax - ymin) / 250;
      if (cell_size_m == 0)
        cell_size_m = MAX (xmax - xmin, ymax - ymin) / 250;
      if (cell_size_m == 0)
        cell_size_m = radius_m / 10;
      /* a kernel at least 10 cells across, while the grid stays within
       * GIS_KDE_AUTO_MAX_CELLS */
      cell_size_m = MIN (cell_size_m, radius_m / 5);
      while (ceil ((xmax - xmin + 2 * radius_m) / cell_size_m) * ceil ((ymax - ymin + 2 * radius_m) / cell_size_m) >
             GIS_KDE_AUTO_MAX_CELLS)
        cell_size_m *= 1.25;
    }

  cols = ceil ((xmax - xmin + 2 * radius_m) / cell_size_m);
  rows = ceil ((ymax - ymin + 2 * radius_m) / cell_size_m);
  if (cols * rows > (double) GIS_KDE_MAX_CELLS)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("The grid of %.0f × %.0f cells is too large; choose larger cells"), cols, rows);
      return FALSE;
    }
  out_grid->x_min = xmin - radius_m;
  out_grid->y_max = ymax + radius_m;
  out_grid->cell_size_m = cell_size_m;
  out_grid->nx = (guint) MAX (cols, 1);
  out_grid->ny = (guint) MAX (rows, 1);
  return TRUE;
}

/* ---- the work --------------------------------------------------------------- */

typedef struct
{
  GisKdeKernel  kernel;
  GisKdeGrid    grid;
  double        r2, inv_r2;
  double        scale;           /* profile sum -> output */
  gint          reach;           /* R: rows and columns a kernel reaches */
  guint         n_ext_rows;      /* ny + 2R */
  double       *cx;              /* nx cell-centre eastings */
  double       *out;

  /* points sorted by extended row; for the fast method, then merged to bins */
  guint        *row_start;       /* n_ext_rows + 1 */
  double       *px, *py, *pw;

  /* fast */
  guint         s;               /* sub-grid */
  guint        *n_bins;          /* per extended row: bins, stored from row_start */
  gint32       *bin_col;         /* I: the bin's cell column, may be outside [0, nx) */
  guint16      *bin_sub;         /* b · s + a: its sub-cell */
  gint32       *pt_col;          /* per sorted point: I, and its sub-cell below */
  guint16      *pt_sub;
  double      **scratch;         /* per worker: (nx + 2R) s² sums */
  guint       **touched;         /* per worker */
  double       *stencil;         /* s² × (2R + 1) × (2R + 1) profiles */
  gint32       *lo, *hi;         /* s² × (2R + 1): the non-zero columns of each stencil row */
} Kde;

static void
finish_row (Kde    *k,
            double *row)
{
  for (guint i = 0; i < k->grid.nx; i++)
    row[i] *= k->scale;
}

/* branch-free, so that it vectorises: outside the disc it adds 0 */
#define EXACT_LOOP(F)                                                    \
  for (gint i = i0; i <= i1; i++)                                        \
    {                                                                    \
      double dx = cx[i] - px, q = (dx * dx + dy2) * inv_r2;              \
      row[i] += q < 1 ? w * (F) : 0.0;                                   \
    }

static void
exact_rows (guint    worker,
            guint    begin,
            guint    end,
            gpointer data)
{
  Kde *k = data;
  const GisKdeGrid *g = &k->grid;
  const double *cx = k->cx, inv_r2 = k->inv_r2;

  for (guint j = begin; j < end; j++)
    {
      double *row = k->out + (gsize) j * g->nx;
      double cy = g->y_max - (j + 0.5) * g->cell_size_m;
      guint e_end = MIN (j + 2 * (guint) k->reach + 1, k->n_ext_rows);

      for (guint e = j; e < e_end; e++)
        for (guint p = k->row_start[e]; p < k->row_start[e + 1]; p++)
          {
            double px = k->px[p], dy = cy - k->py[p], dy2 = dy * dy, w = k->pw[p], hc;
            gint i0, i1;

            if (!(dy2 < k->r2))
              continue;
            hc = sqrt (k->r2 - dy2);
            i0 = (gint) MAX (ceil ((px - hc - g->x_min) / g->cell_size_m - 0.5) - 1, 0);
            i1 = (gint) MIN (floor ((px + hc - g->x_min) / g->cell_size_m - 0.5) + 1, (double) g->nx - 1);
            switch (k->kernel)
              {
              case GIS_KDE_KERNEL_QUARTIC:
                EXACT_LOOP ((1 - q) * (1 - q));
                break;
              case GIS_KDE_KERNEL_TRIWEIGHT:
                EXACT_LOOP ((1 - q) * (1 - q) * (1 - q));
                break;
              case GIS_KDE_KERNEL_EPANECHNIKOV:
                EXACT_LOOP (1 - q);
                break;
              case GIS_KDE_KERNEL_UNIFORM:
                EXACT_LOOP (1);
                break;
              case GIS_KDE_KERNEL_TRIANGULAR:
                EXACT_LOOP (1 - sqrt (q));
                break;
              default:
                g_assert_not_reached ();
              }
          }
      finish_row (k, row);
    }
}

/* merges the points of each extended row into sub-cell bins, in place */
static void
bin_rows (guint    worker,
          guint    begin,
          guint    end,
          gpointer data)
{
  Kde *k = data;
  guint s2 = k->s * k->s;
  gsize width = ((gsize) k->grid.nx + 2 * (gsize) k->reach) * s2;
  double *scratch;
  guint *touched;

  if (k->scratch[worker] == NULL)
    {
      k->scratch[worker] = g_new0 (double, width);
      k->touched[worker] = g_new (guint, width);
    }
  scratch = k->scratch[worker];
  touched = k->touched[worker];

  for (guint e = begin; e < end; e++)
    {
      guint n_touched = 0, out = k->row_start[e];

      for (guint p = k->row_start[e]; p < k->row_start[e + 1]; p++)
        {
          guint key = (guint) (k->pt_col[p] + k->reach) * s2 + k->pt_sub[p];

          if (scratch[key] == 0)
            touched[n_touched++] = key;
          scratch[key] += k->pw[p];
        }
      for (guint t = 0; t < n_touched; t++)
        {
          guint key = touched[t];

          /* a bin of zero weight adds nothing */
          if (scratch[key] != 0)
            {
              k->bin_col[out] = (gint32) (key / s2) - k->reach;
              k->bin_sub[out] = (guint16) (key % s2);
              k->pw[out] = scratch[key];
              out++;
            }
          scratch[key] = 0;
        }
      k->n_bins[e] = out - k->row_start[e];
    }
}

static void
fast_rows (guint    worker,
           guint    begin,
           guint    end,
           gpointer data)
{
  Kde *k = data;
  gint nx = (gint) k->grid.nx, span = 2 * k->reach + 1;

  for (guint j = begin; j < end; j++)
    {
      double *row = k->out + (gsize) j * k->grid.nx;
      guint e_end = MIN (j + 2 * (guint) k->reach + 1, k->n_ext_rows);

      for (guint e = j; e < e_end; e++)
        {
          /* the bins' row J = e − R; the output row is J + dj */
          gint dj = (gint) j - ((gint) e - k->reach);

          for (guint b = k->row_start[e]; b < k->row_start[e] + k->n_bins[e]; b++)
            {
              gsize srow = (gsize) k->bin_sub[b] * span + (gsize) (dj + k->reach);
              const double *st = k->stencil + srow * span + k->reach;   /* indexed by di */
              gint I = k->bin_col[b];
              gint lo = MAX (k->lo[srow], -I), hi = MIN (k->hi[srow], nx - 1 - I);
              double w = k->pw[b];
              double *o = row + I;

              for (gint di = lo; di <= hi; di++)
                o[di] += w * st[di];
            }
        }
      finish_row (k, row);
    }
}

static void
make_stencil (Kde *k)
{
  guint s = k->s, span = 2 * k->reach + 1;
  double cs = k->grid.cell_size_m, h = cs / s;

  k->stencil = g_new0 (double, (gsize) s * s * span * span);
  k->lo = g_new (gint32, (gsize) s * s * span);
  k->hi = g_new (gint32, (gsize) s * s * span);
  for (guint b = 0; b < s; b++)
    for (guint a = 0; a < s; a++)
      {
        /* the sub-cell centre from the cell centre: east, and south */
        double ox = ((double) a - (s - 1) / 2.0) * h, oy = ((double) b - (s - 1) / 2.0) * h;

        for (gint dj = -k->reach; dj <= k->reach; dj++)
          {
            gsize srow = (gsize) (b * s + a) * span + (gsize) (dj + k->reach);
            double *st = k->stencil + srow * span;
            double dy = dj * cs - oy;
            gint lo = k->reach + 1, hi = -k->reach - 1;

            for (gint di = -k->reach; di <= k->reach; di++)
              {
                double dx = di * cs - ox, q = (dx * dx + dy * dy) * k->inv_r2;

                if (q < 1)
                  {
                    st[di + k->reach] = profile (k->kernel, q);
                    lo = MIN (lo, di);
                    hi = MAX (hi, di);
                  }
              }
            k->lo[srow] = lo;
            k->hi[srow] = hi;
          }
      }
}

/* floor(a / b) for b > 0 */
static inline gint64
floor_div (gint64 a,
           gint64 b)
{
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/**
 * gis_kde_run:
 * @x: (array length=n): eastings, metres
 * @y: (array length=n): northings, metres
 * @weights: (nullable) (array length=n): each point's weight, >= 0; %NULL: 1 each
 * @n: the number of points
 * @params: kernel, output, method, radius (0: Silverman)
 * @grid: (nullable): the grid; %NULL: gis_kde_grid_for_points() with the
 *   default cell size
 * @out: (out caller-allocates): the surface, with its grid and radius
 * @cancellable: (nullable): stops the work
 * @progress: (nullable) (scope call): told how far it is
 * @progress_data: closure
 * @error: return location for an error
 *
 * Returns: %TRUE on success
 */
gboolean
gis_kde_run (const double        *x,
             const double        *y,
             const double        *weights,
             gsize                n,
             const GisKdeParams  *params,
             const GisKdeGrid    *grid,
             GisKdeResult        *out,
             GCancellable        *cancellable,
             GisProgressFunc      progress,
             gpointer             progress_data,
             GError             **error)
{
  Kde k = { 0 };
  double radius, cs;
  guint s = 1, n_workers;
  gboolean fast, ok;
  g_autofree guint *ext_row = NULL;
  g_autofree gint32 *col = NULL;
  g_autofree guint16 *sub = NULL;

  g_return_val_if_fail (n == 0 || (x != NULL && y != NULL), FALSE);
  g_return_val_if_fail (params != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  memset (out, 0, sizeof *out);
  if ((guint) params->kernel > GIS_KDE_KERNEL_TRIANGULAR || (guint) params->output > GIS_KDE_OUTPUT_RAW ||
      (guint) params->method > GIS_KDE_METHOD_FAST)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("Unknown kernel, output or method"));
      return FALSE;
    }
  if (!check_points (x, y, weights, n, error))
    return FALSE;
  fast = params->method == GIS_KDE_METHOD_FAST;
  if (fast)
    {
      s = MAX (params->subgrid, 1);
      if (s % 2 == 0 || s > GIS_KDE_MAX_SUBGRID)
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                       _("The sub-grid must be odd and at most %d"), GIS_KDE_MAX_SUBGRID);
          return FALSE;
        }
    }

  radius = params->radius_m;
  if (radius == 0)
    {
      if (!gis_kde_silverman_radius (x, y, weights, n, &radius, error))
        return FALSE;
    }
  else if (!(radius > 0) || !isfinite (radius))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("The radius must be a positive distance"));
      return FALSE;
    }

  if (grid != NULL)
    {
      if (!check_grid (grid, error))
        return FALSE;
      k.grid = *grid;
    }
  else if (!gis_kde_grid_for_points (x, y, n, radius, 0, &k.grid, error))
    return FALSE;
  cs = k.grid.cell_size_m;

  if (radius / cs > 4096)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("The radius spans more than 4096 cells; choose larger cells"));
      return FALSE;
    }
  k.kernel = params->kernel;
  k.r2 = radius * radius;
  k.inv_r2 = 1 / k.r2;
  k.reach = (gint) ceil (radius / cs) + 1;
  k.n_ext_rows = k.grid.ny + 2 * (guint) k.reach;
  k.s = s;
  if (fast && (double) s * s * (2.0 * k.reach + 1) * (2.0 * k.reach + 1) > 64e6)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("The radius spans too many sub-grid cells; choose a coarser sub-grid or larger cells"));
      return FALSE;
    }
  switch (params->output)
    {
    case GIS_KDE_OUTPUT_DENSITY:
      k.scale = gis_kde_kernel_constant (k.kernel) / k.r2 * 1e6;
      break;
    case GIS_KDE_OUTPUT_EXPECTED_COUNT:
      k.scale = gis_kde_kernel_constant (k.kernel) / k.r2 * cs * cs;
      break;
    case GIS_KDE_OUTPUT_RAW:
      k.scale = 1;
      break;
    default:
      g_assert_not_reached ();
    }

  out->values = g_try_new0 (double, (gsize) k.grid.nx * k.grid.ny);
  if (out->values == NULL)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_FAILED, _("Not enough memory for %u × %u cells"),
                   k.grid.nx, k.grid.ny);
      return FALSE;
    }
  out->grid = k.grid;
  out->radius_m = radius;
  k.out = out->values;
  k.cx = g_new (double, k.grid.nx);
  for (guint i = 0; i < k.grid.nx; i++)
    k.cx[i] = k.grid.x_min + (i + 0.5) * cs;

  /* sort the points that reach the grid by extended row (counting sort) */
  ext_row = g_new (guint, MAX (n, 1));
  if (fast)
    {
      col = g_new (gint32, MAX (n, 1));
      sub = g_new (guint16, MAX (n, 1));
    }
  k.row_start = g_new0 (guint, k.n_ext_rows + 1);
  for (gsize i = 0; i < n; i++)
    {
      double h = cs / s;
      double fy = floor ((k.grid.y_max - y[i]) / h), fx = floor ((x[i] - k.grid.x_min) / h);
      gint64 J, I;

      ext_row[i] = G_MAXUINT;
      if (fy < -(double) k.reach * s - 1 || fy > ((double) k.grid.ny + k.reach) * s + 1 ||
          fx < -(double) k.reach * s - 1 || fx > ((double) k.grid.nx + k.reach) * s + 1)
        continue;
      J = floor_div ((gint64) fy, s);
      I = floor_div ((gint64) fx, s);
      if (J < -k.reach || J >= (gint64) k.grid.ny + k.reach || I < -k.reach || I >= (gint64) k.grid.nx + k.reach)
        continue;
      if (weights != NULL && weights[i] == 0)
        continue;
      ext_row[i] = (guint) (J + k.reach);
      k.row_start[ext_row[i] + 1]++;
      if (fast)
        {
          col[i] = (gint32) I;
          sub[i] = (guint16) (((gint64) fy - J * s) * s + ((gint64) fx - I * s));
        }
    }
  for (guint e = 0; e < k.n_ext_rows; e++)
    k.row_start[e + 1] += k.row_start[e];
  {
    guint kept = k.row_start[k.n_ext_rows];
    g_autofree guint *next = g_memdup2 (k.row_start, k.n_ext_rows * sizeof (guint));

    k.px = g_new (double, MAX (kept, 1));
    k.py = g_new (double, MAX (kept, 1));
    k.pw = g_new (double, MAX (kept, 1));
    if (fast)
      {
        k.pt_col = g_new (gint32, MAX (kept, 1));
        k.pt_sub = g_new (guint16, MAX (kept, 1));
      }
    for (gsize i = 0; i < n; i++)
      if (ext_row[i] != G_MAXUINT)
        {
          guint to = next[ext_row[i]]++;

          k.px[to] = x[i];
          k.py[to] = y[i];
          k.pw[to] = weights != NULL ? weights[i] : 1;
          if (fast)
            {
              k.pt_col[to] = col[i];
              k.pt_sub[to] = sub[i];
            }
        }
  }

  if (!fast)
    {
      n_workers = gis_hotspots_n_workers (params->n_threads, k.grid.ny, ROW_CHUNK);
      ok = gis_hotspots_parallel (k.grid.ny, ROW_CHUNK, n_workers, exact_rows, &k,
                                  cancellable, progress, progress_data, _("Kernel density"), error);
    }
  else
    {
      n_workers = gis_hotspots_n_workers (params->n_threads, k.n_ext_rows, ROW_CHUNK);
      k.n_bins = g_new0 (guint, k.n_ext_rows);
      k.bin_col = k.pt_col;
      k.bin_sub = k.pt_sub;
      k.scratch = g_new0 (double *, n_workers);
      k.touched = g_new0 (guint *, n_workers);
      make_stencil (&k);
      ok = gis_hotspots_parallel (k.n_ext_rows, ROW_CHUNK, n_workers, bin_rows, &k,
                                  cancellable, NULL, NULL, NULL, error);
      if (ok)
        ok = gis_hotspots_parallel (k.grid.ny, ROW_CHUNK, gis_hotspots_n_workers (params->n_threads, k.grid.ny, ROW_CHUNK),
                                    fast_rows, &k, cancellable, progress, progress_data,
                                    _("Kernel density"), error);
      for (guint w = 0; w < n_workers; w++)
        {
          g_free (k.scratch[w]);
          g_free (k.touched[w]);
        }
      g_free (k.scratch);
      g_free (k.touched);
      g_free (k.n_bins);
      g_free (k.stencil);
      g_free (k.lo);
      g_free (k.hi);
    }

  g_free (k.cx);
  g_free (k.row_start);
  g_free (k.px);
  g_free (k.py);
  g_free (k.pw);
  g_free (k.pt_col);
  g_free (k.pt_sub);
  if (!ok)
    gis_kde_result_clear (out);
  return ok;
}
