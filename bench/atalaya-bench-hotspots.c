/* atalaya-bench-hotspots.c: times the hotspot core on points in memory
 *
 * usage: atalaya-bench-hotspots project INCIDENTS.csv POINTS.csv
 *        atalaya-bench-hotspots kde POINTS.csv --radius M --cell M
 *          [--subgrid S] [--runs N] [--limit N] [--out FILE]
 *        atalaya-bench-hotspots gistar POINTS.csv --cell M --band M
 *          [--runs N] [--limit N] [--out FILE] [--bins FILE]
 *        atalaya-bench-hotspots dbscan POINTS.csv --eps M --min-pts K
 *          [--runs N] [--limit N] [--out FILE]
 *
 * project: reads the longitude and latitude columns of the sample
 * generator's incidents.csv, projects them to the CEC LAEA (the analysis
 * CRS) and writes "x,y" rows in metres, to the millimetre, for every tool
 * of bench/hotspots.py to read the same numbers.
 *
 * The other commands read the first --limit rows (default all) of such a
 * file into memory, run the method once to warm up, then --runs times
 * (default 5), each run timed alone, and print one line per run,
 *   run_s=<s>
 * then one line of key=value pairs: median_s, min_s, runs, points and
 * the answer of the last run:
 *
 * - kde: gis_kde_run(), fast method, quartic kernel, raw output
 *   (Σ (1 − u²)², QGIS's "raw" heatmap values), on the grid QGIS's
 *   heatmap makes for these points (west edge at the points' west minus
 *   the radius, north edge at their north plus the radius,
 *   ceil(extent / cell) + 1 columns and rows); answer: nx, ny, x_min,
 *   y_max, the sum of the cells and their maximum.  --out writes the
 *   cells as native-endian doubles, row by row from the north.
 * - gistar: gis_bins_from_points() (squares of --cell, the bins holding
 *   points) then gis_gistar_run() with binary weights within --band, the
 *   bin itself included; both are timed.  Answer: bins, the sum of z and
 *   of the neighbour counts.  --bins writes the bins ("x,y,count", the
 *   input of the reference), --out "z,n_neighbours" in the same order.
 * - dbscan: gis_dbscan_run() with --eps and --min-pts (the point itself
 *   counted); answer: clusters and noise points.  --out writes one
 *   cluster id per line (0: noise), as R's dbscan numbers them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gis.h"

#define PROG "atalaya-bench-hotspots"

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
median_of (double *v,
           int     n)
{
  qsort (v, n, sizeof (double), compare_doubles);
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The index of NAME among the comma-separated fields of HEADER, or -1. */
static int
column_index (const char *header,
              const char *name)
{
  g_auto(GStrv) fields = g_strsplit (header, ",", -1);

  for (int i = 0; fields[i] != NULL; i++)
    {
      g_strstrip (fields[i]);
      if (g_strcmp0 (fields[i], name) == 0)
        return i;
    }
  return -1;
}

/* Reads columns XNAME and YNAME of a CSV file with a header and no quoted
 * commas before them; at most LIMIT rows (0: all). */
static gboolean
read_xy (const char *path,
         const char *xname,
         const char *yname,
         gsize       limit,
         GArray    **out_x,
         GArray    **out_y,
         GError    **error)
{
  g_autoptr(GArray) xs = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) ys = g_array_new (FALSE, FALSE, sizeof (double));
  char line[4096];
  FILE *fp;
  int cx, cy, lineno = 1;

  fp = fopen (path, "r");
  if (fp == NULL)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                   "cannot open %s: %s", path, g_strerror (errno));
      return FALSE;
    }
  if (fgets (line, sizeof line, fp) == NULL ||
      (cx = column_index (line, xname)) < 0 || (cy = column_index (line, yname)) < 0)
    {
      fclose (fp);
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "%s has no %s and %s columns", path, xname, yname);
      return FALSE;
    }
  while ((limit == 0 || xs->len < limit) && fgets (line, sizeof line, fp) != NULL)
    {
      const char *p = line;
      double x = NAN, y = NAN;
      int field = 0;

      lineno++;
      while (field <= MAX (cx, cy))
        {
          char *end;

          if (field == cx || field == cy)
            {
              double v = g_ascii_strtod (p, &end);

              if (end == p)
                break;
              if (field == cx)
                x = v;
              else
                y = v;
            }
          p = strchr (p, ',');
          if (p == NULL)
            break;
          p++;
          field++;
        }
      if (!isfinite (x) || !isfinite (y))
        {
          fclose (fp);
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                       "%s:%d: no %s and %s", path, lineno, xname, yname);
          return FALSE;
        }
      g_array_append_val (xs, x);
      g_array_append_val (ys, y);
    }
  fclose (fp);
  if (xs->len == 0)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s has no rows", path);
      return FALSE;
    }
  *out_x = g_steal_pointer (&xs);
  *out_y = g_steal_pointer (&ys);
  return TRUE;
}

static int
project (const char *in,
         const char *out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) xs = NULL;
  g_autoptr(GArray) ys = NULL;
  g_autoptr(GisCrs) src = gis_crs_new_storage ();
  g_autoptr(GisCrs) dst = NULL;
  g_autoptr(GisTransform) tr = NULL;
  double *x, *y;
  FILE *fp;

  if (!read_xy (in, "longitude", "latitude", 0, &xs, &ys, &error))
    {
      g_printerr (PROG ": %s\n", error->message);
      return 1;
    }
  dst = gis_crs_new (GIS_CRS_CEC_LAEA_ID, &error);
  if (dst != NULL)
    tr = gis_transform_new (src, dst, &error);
  if (tr == NULL)
    {
      g_printerr (PROG ": %s\n", error->message);
      return 1;
    }
  x = (double *) (void *) xs->data;
  y = (double *) (void *) ys->data;
  if (!gis_transform_array (tr, x, y, xs->len))
    {
      g_printerr (PROG ": some points of %s cannot be projected\n", in);
      return 1;
    }
  fp = fopen (out, "w");
  if (fp == NULL)
    {
      g_printerr (PROG ": cannot write %s: %s\n", out, g_strerror (errno));
      return 1;
    }
  fputs ("x,y\n", fp);
  for (guint i = 0; i < xs->len; i++)
    fprintf (fp, "%.3f,%.3f\n", x[i], y[i]);
  if (fclose (fp) != 0)
    {
      g_printerr (PROG ": cannot write %s\n", out);
      return 1;
    }
  g_print ("points=%u\n", xs->len);
  return 0;
}

static FILE *
open_out (const char *path)
{
  FILE *fp = fopen (path, "w");

  if (fp == NULL)
    g_printerr (PROG ": cannot write %s: %s\n", path, g_strerror (errno));
  return fp;
}

static gboolean
close_out (FILE       *fp,
           const char *path)
{
  if (fclose (fp) != 0)
    {
      g_printerr (PROG ": cannot write %s\n", path);
      return FALSE;
    }
  return TRUE;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) xs = NULL;
  g_autoptr(GArray) ys = NULL;
  g_autofree double *times = NULL;
  g_autofree char *answer = NULL;
  int runs = 5, limit = 0, subgrid = 5, min_pts = 5;
  double radius = 25000, cell = 0, band = 30000, eps = 10000;
  char *out_path = NULL, *bins_path = NULL;
  GOptionEntry entries[] = {
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "Number of timed runs after the warm-up (default 5)", "N" },
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, "Use the first N points only", "N" },
    { "radius", 0, 0, G_OPTION_ARG_DOUBLE, &radius, "kde: radius in metres (default 25000)", "M" },
    { "cell", 0, 0, G_OPTION_ARG_DOUBLE, &cell, "kde: cell size; gistar: bin size, metres", "M" },
    { "subgrid", 0, 0, G_OPTION_ARG_INT, &subgrid, "kde: sub-grid of the fast method (default 5)", "S" },
    { "band", 0, 0, G_OPTION_ARG_DOUBLE, &band, "gistar: distance band in metres (default 30000)", "M" },
    { "eps", 0, 0, G_OPTION_ARG_DOUBLE, &eps, "dbscan: eps in metres (default 10000)", "M" },
    { "min-pts", 0, 0, G_OPTION_ARG_INT, &min_pts, "dbscan: minPts, the point included (default 5)", "K" },
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &out_path, "Write the last run's result to FILE", "FILE" },
    { "bins", 0, 0, G_OPTION_ARG_FILENAME, &bins_path, "gistar: write the bins to FILE", "FILE" },
    { NULL }
  };
  const char *method;
  const double *x, *y;
  gsize n;
  int status = 0;

  context = g_option_context_new ("project INCIDENTS.csv POINTS.csv | kde|gistar|dbscan POINTS.csv");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc < 3 || runs < 1 || limit < 0)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "usage: " PROG " METHOD POINTS.csv [options]");
      return 2;
    }
  method = argv[1];

  gis_init ();

  if (strcmp (method, "project") == 0)
    {
      if (argc != 4)
        {
          g_printerr ("usage: " PROG " project INCIDENTS.csv POINTS.csv\n");
          return 2;
        }
      return project (argv[2], argv[3]);
    }
  if (argc != 3 || (strcmp (method, "kde") != 0 && strcmp (method, "gistar") != 0 &&
                    strcmp (method, "dbscan") != 0))
    {
      g_printerr ("usage: " PROG " kde|gistar|dbscan POINTS.csv [options]\n");
      return 2;
    }
  if (strcmp (method, "dbscan") != 0 && !(cell > 0))
    {
      g_printerr (PROG ": --cell is needed\n");
      return 2;
    }
  if (!read_xy (argv[2], "x", "y", (gsize) limit, &xs, &ys, &error))
    {
      g_printerr (PROG ": %s\n", error->message);
      return 1;
    }
  x = (const double *) (void *) xs->data;
  y = (const double *) (void *) ys->data;
  n = xs->len;
  times = g_new (double, runs);

  if (strcmp (method, "kde") == 0)
    {
      GisKdeParams params = {
        .kernel = GIS_KDE_KERNEL_QUARTIC,
        .output = GIS_KDE_OUTPUT_RAW,
        .method = GIS_KDE_METHOD_FAST,
        .radius_m = radius,
        .subgrid = (guint) subgrid,
      };
      GisKdeGrid grid;
      double x0 = x[0], x1 = x[0], y0 = y[0], y1 = y[0], sum = 0, max = 0;
      gsize cells;

      for (gsize i = 1; i < n; i++)
        {
          x0 = MIN (x0, x[i]);
          x1 = MAX (x1, x[i]);
          y0 = MIN (y0, y[i]);
          y1 = MAX (y1, y[i]);
        }
      /* QgsKernelDensityEstimation::prepare(): the points' extent grown by
       * the radius; one more row and column than it needs */
      grid.x_min = x0 - radius;
      grid.y_max = y1 + radius;
      grid.cell_size_m = cell;
      grid.nx = (guint) MAX (ceil ((x1 - x0 + 2 * radius) / cell) + 1, 1);
      grid.ny = (guint) MAX (ceil ((y1 - y0 + 2 * radius) / cell) + 1, 1);
      cells = (gsize) grid.nx * grid.ny;

      for (int r = -1; r < runs; r++)
        {
          g_auto(GisKdeResult) res = { 0 };
          gint64 t0 = g_get_monotonic_time ();

          if (!gis_kde_run (x, y, NULL, n, &params, &grid, &res, NULL, NULL, NULL, &error))
            {
              g_printerr (PROG ": %s\n", error->message);
              return 1;
            }
          if (r < 0)
            continue;
          times[r] = (g_get_monotonic_time () - t0) / 1e6;
          g_print ("run_s=%.6f\n", times[r]);
          if (r < runs - 1)
            continue;

          sum = max = 0;
          for (gsize c = 0; c < cells; c++)
            {
              sum += res.values[c];
              max = MAX (max, res.values[c]);
            }
          answer = g_strdup_printf ("nx=%u ny=%u x_min=%.17g y_max=%.17g cell=%.17g sum=%.17g max=%.17g",
                                    grid.nx, grid.ny, grid.x_min, grid.y_max, cell, sum, max);
          if (out_path != NULL)
            {
              FILE *fp = open_out (out_path);

              if (fp == NULL)
                return 1;
              if (fwrite (res.values, sizeof (double), cells, fp) != cells)
                status = 1;
              if (!close_out (fp, out_path))
                status = 1;
            }
        }
    }
  else if (strcmp (method, "gistar") == 0)
    {
      GisGiStarParams params = {
        .weights = GIS_GISTAR_WEIGHTS_BAND,
        .band_m = band,
      };

      for (int r = -1; r < runs; r++)
        {
          g_auto(GisBins) bins = { 0 };
          g_auto(GisGiStarResult) res = { 0 };
          gint64 t0 = g_get_monotonic_time ();
          double zsum = 0;
          guint64 nsum = 0;

          if (!gis_bins_from_points (GIS_BIN_SQUARE, cell, x, y, NULL, n, FALSE, &bins, &error) ||
              !gis_gistar_run (bins.x, bins.y, bins.value, bins.n, &params, &res,
                               NULL, NULL, NULL, &error))
            {
              g_printerr (PROG ": %s\n", error->message);
              return 1;
            }
          if (r < 0)
            continue;
          times[r] = (g_get_monotonic_time () - t0) / 1e6;
          g_print ("run_s=%.6f\n", times[r]);
          if (r < runs - 1)
            continue;

          for (guint i = 0; i < res.n; i++)
            {
              zsum += res.z[i];
              nsum += res.n_neighbours[i];
            }
          answer = g_strdup_printf ("bins=%u z_sum=%.17g neighbours=%" G_GUINT64_FORMAT,
                                    bins.n, zsum, nsum);
          if (bins_path != NULL)
            {
              FILE *fp = open_out (bins_path);

              if (fp == NULL)
                return 1;
              fputs ("x,y,count\n", fp);
              for (guint i = 0; i < bins.n; i++)
                fprintf (fp, "%.17g,%.17g,%u\n", bins.x[i], bins.y[i], bins.count[i]);
              if (!close_out (fp, bins_path))
                status = 1;
            }
          if (out_path != NULL)
            {
              FILE *fp = open_out (out_path);

              if (fp == NULL)
                return 1;
              fputs ("z,n_neighbours\n", fp);
              for (guint i = 0; i < res.n; i++)
                fprintf (fp, "%.17g,%u\n", res.z[i], res.n_neighbours[i]);
              if (!close_out (fp, out_path))
                status = 1;
            }
        }
    }
  else
    {
      GisDbscanParams params = {
        .eps_m = eps,
        .min_pts = (guint) MAX (min_pts, 1),
      };

      for (int r = -1; r < runs; r++)
        {
          g_auto(GisDbscanResult) res = { 0 };
          gint64 t0 = g_get_monotonic_time ();

          if (!gis_dbscan_run (x, y, n, &params, &res, NULL, NULL, NULL, &error))
            {
              g_printerr (PROG ": %s\n", error->message);
              return 1;
            }
          if (r < 0)
            continue;
          times[r] = (g_get_monotonic_time () - t0) / 1e6;
          g_print ("run_s=%.6f\n", times[r]);
          if (r < runs - 1)
            continue;

          answer = g_strdup_printf ("clusters=%u noise=%u", res.n_clusters, res.n_noise);
          if (out_path != NULL)
            {
              FILE *fp = open_out (out_path);

              if (fp == NULL)
                return 1;
              fputs ("cluster\n", fp);
              for (guint i = 0; i < res.n; i++)
                fprintf (fp, "%d\n", res.cluster[i]);
              if (!close_out (fp, out_path))
                status = 1;
            }
        }
    }

  {
    double median = median_of (times, runs);   /* sorts: times[0] is the least */

    g_print ("median_s=%.6f min_s=%.6f runs=%d points=%" G_GSIZE_FORMAT " %s\n",
             median, times[0], runs, n, answer);
  }
  g_free (out_path);
  g_free (bins_path);
  return status;
}
