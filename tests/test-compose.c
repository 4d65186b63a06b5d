/* test-compose.c: map pages and atlases, read back as a reader would
 *
 * The PDF's text is read with pdftotext and its pixels with pdftoppm
 * (poppler-utils); the tests that need them skip without them.  The pages
 * are of the sample store (data-samples/), whose ports are drawn as dark
 * red triangles (GIS_STYLE_PORT_FILL).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <cairo.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <locale.h>
#include <math.h>
#include <string.h>

#include "gis.h"
#include "test-util.h"

static char *sample_path;

static gboolean
skip_without_sample (void)
{
  if (sample_path != NULL)
    return FALSE;
  g_test_skip ("no sample store (ATALAYA_SAMPLE_STORE)");
  return TRUE;
}

static gboolean
skip_without (const char *program)
{
  g_autofree char *path = g_find_program_in_path (program);

  if (path != NULL)
    return FALSE;
  g_test_skip_printf ("%s is not installed (poppler-utils)", program);
  return TRUE;
}

static GisComposition *
sample_composition (void)
{
  GisComposition *c = gis_composition_new (sample_path);
  g_autoptr(GDateTime) date = g_date_time_new_utc (2026, 11, 28, 0, 0, 0);

  gis_composition_set_date (c, date);
  return c;
}

static char *
export (GisComposition   *c,
        const char       *dir,
        const char       *name,
        GisComposeFormat  format,
        double            dpi)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) files = NULL;

  files = gis_composition_export (c, path, format, dpi, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (files);
  g_assert_cmpuint (files->len, >=, 1);
  return g_strdup (g_ptr_array_index (files, 0));
}

static char *
pdf_text (const char *pdf)
{
  const char *argv[] = { "pdftotext", "-layout", pdf, "-", NULL };
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, &out, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return out;
}

/* ---- page sizes and names ---------------------------------------------- */

static void
test_page_sizes (void)
{
  static const struct
  {
    const char *name;
    double      w_in;
    double      h_in;
  } cases[] = {
    { "letter", 8.5, 11 },
    { "legal", 8.5, 14 },
    { "tabloid", 11, 17 },
    { "a4", 210 / 25.4, 297 / 25.4 },
    { "A3", 297 / 25.4, 420 / 25.4 },
  };
  GisLanguage lang;
  GisComposeFormat format;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GisPageSize size;
      double w, h;

      g_assert_true (gis_page_size_from_string (cases[i].name, &size));
      gis_page_size_get_pt (size, &w, &h);
      g_assert_cmpfloat_with_epsilon (w, cases[i].w_in * 72, 1e-6);
      g_assert_cmpfloat_with_epsilon (h, cases[i].h_in * 72, 1e-6);
    }
  g_assert_false (gis_page_size_from_string ("b5", &(GisPageSize) { 0 }));

  g_assert_true (gis_language_from_string ("fr_CA.UTF-8", &lang));
  g_assert_cmpint (lang, ==, GIS_LANGUAGE_FR);
  g_assert_true (gis_language_from_string ("es", &lang));
  g_assert_cmpint (lang, ==, GIS_LANGUAGE_ES);
  g_assert_false (gis_language_from_string ("de", &lang));
  g_assert_false (gis_language_from_string ("english", &lang));

  g_assert_true (gis_compose_format_for_path ("out/Map.PDF", &format));
  g_assert_cmpint (format, ==, GIS_COMPOSE_PDF);
  g_assert_true (gis_compose_format_for_path ("map.svg", &format));
  g_assert_cmpint (format, ==, GIS_COMPOSE_SVG);
  g_assert_false (gis_compose_format_for_path ("map.jpg", &format));
}

/* Landscape turns the page. */
static void
test_landscape (void)
{
  g_autoptr(GisComposition) c = gis_composition_new ("unused.sqlite");
  double w, h;

  gis_composition_set_page (c, GIS_PAGE_TABLOID, TRUE);
  gis_composition_get_page_pt (c, &w, &h);
  g_assert_cmpfloat (w, ==, 17 * 72);
  g_assert_cmpfloat (h, ==, 11 * 72);
}

/* ---- PDF --------------------------------------------------------------- */

/* One layout in three languages: the French and Spanish pages carry the
 * catalogs' words for the legend, the scale and the date, whatever the
 * process's own language. */
static void
test_pdf_languages (void)
{
  static const struct
  {
    GisLanguage  lang;
    const char  *words[4];
  } cases[] = {
    { GIS_LANGUAGE_FR, { "Légende", "Échelle 1:", "28 novembre 2026", NULL } },
    { GIS_LANGUAGE_ES, { "Leyenda", "Escala 1:", "28 de noviembre de 2026", NULL } },
  };
  g_autofree char *dir = NULL;

  if (skip_without_sample () || skip_without ("pdftotext"))
    return;
  dir = test_make_tmpdir ();
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GisComposition) c = sample_composition ();
      g_autofree char *name = g_strdup_printf ("map-%s.pdf", gis_language_to_string (cases[i].lang));
      g_autofree char *pdf = NULL;
      g_autofree char *text = NULL;

      gis_composition_set_title (c, "Atalaya");
      gis_composition_set_language (c, cases[i].lang);
      pdf = export (c, dir, name, GIS_COMPOSE_PDF, 0);
      text = pdf_text (pdf);
      g_test_message ("%s", text);
      for (guint w = 0; cases[i].words[w] != NULL; w++)
        if (strstr (text, cases[i].words[w]) == NULL)
          g_error ("the %s page has no “%s”", gis_language_to_string (cases[i].lang), cases[i].words[w]);
      g_assert_null (strstr (text, "Legend"));
    }
  test_rm_rf (dir);
}

/* The title, the legend's labels, the scale and the notes are text. */
static void
test_pdf_text (void)
{
  g_autoptr(GisComposition) c = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *pdf = NULL;
  g_autofree char *text = NULL;

  if (skip_without_sample () || skip_without ("pdftotext"))
    return;
  dir = test_make_tmpdir ();
  c = sample_composition ();
  gis_composition_set_title (c, "Enforcement coverage of border ports");
  gis_composition_set_subtitle (c, "Sample incidents");
  gis_composition_set_locator (c, TRUE);
  pdf = export (c, dir, "map.pdf", GIS_COMPOSE_PDF, 0);
  text = pdf_text (pdf);
  g_test_message ("%s", text);

  g_assert_nonnull (strstr (text, "Enforcement coverage of border ports"));
  g_assert_nonnull (strstr (text, "Sample incidents"));
  g_assert_nonnull (strstr (text, "Legend"));
  for (const char *const *l = (const char *const[]) { "ports", "incidents", "facilities", "habitat",
                                                     "states_provinces", "countries", NULL }; *l; l++)
    g_assert_nonnull (strstr (text, *l));
  g_assert_nonnull (strstr (text, " km"));
  g_assert_nonnull (strstr (text, " mi"));
  g_assert_nonnull (strstr (text, "Scale 1:"));
  g_assert_nonnull (strstr (text, "November 28, 2026"));
  g_assert_nonnull (strstr (text, "CEC North American Atlas LAEA"));
  g_assert_nonnull (strstr (text, "ports.geojson"));

  test_rm_rf (dir);
}

/* Rendered back, the port farthest from any other shows its fill at its
 * centre, where the frame and view put it. */
static void
test_pdf_port_pixel (void)
{
  g_autoptr(GisComposition) c = NULL;
  g_autoptr(GisStore) store = NULL;
  g_autoptr(GisLayer) ports = NULL;
  g_autoptr(GisLayerData) data = NULL;
  g_autoptr(GisCrs) crs = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *pdf = NULL;
  g_autofree char *png_base = NULL;
  g_autofree char *png = NULL;
  g_autofree char *dpi_text = NULL;
  const double dpi = 144, k = dpi / 72;
  GisColor fill;
  GisViewState view;
  double fx, fy, best_d = 0, px = 0, py = 0;
  const double *xs, *ys;
  cairo_surface_t *image;
  guint n;
  int status = 0;

  if (skip_without_sample () || skip_without ("pdftoppm"))
    return;
  dir = test_make_tmpdir ();
  c = sample_composition ();
  pdf = export (c, dir, "map.pdf", GIS_COMPOSE_PDF, 0);
  g_assert_true (gis_composition_get_map_frame (c, 0, &fx, &fy, &view, &error));
  g_assert_no_error (error);

  /* the ports where the page has them */
  store = gis_store_open (sample_path, GIS_STORE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  ports = gis_store_get_layer (store, "ports", &error);
  g_assert_no_error (error);
  crs = gis_crs_new (GIS_CRS_CEC_LAEA_ID, &error);
  data = gis_layer_data_load (sample_path, gis_layer_get_id (ports), crs, NULL, NULL, &error);
  g_assert_no_error (error);
  xs = gis_layer_data_get_x (data);
  ys = gis_layer_data_get_y (data);
  n = gis_layer_data_get_n_coords (data);
  g_assert_cmpuint (n, >, 10);
  for (guint i = 0; i < n; i++)
    {
      double ax, ay, nearest = G_MAXDOUBLE;

      gis_view_state_map_to_pixel (&view, xs[i], ys[i], &ax, &ay);
      if (ax < 10 || ay < 10 || ax > view.width_px - 10 || ay > view.height_px - 10)
        continue;
      for (guint j = 0; j < n; j++)
        {
          double bx, by;

          if (j == i)
            continue;
          gis_view_state_map_to_pixel (&view, xs[j], ys[j], &bx, &by);
          nearest = MIN (nearest, hypot (bx - ax, by - ay));
        }
      if (nearest > best_d)
        {
          best_d = nearest;
          px = fx + ax;
          py = fy + ay;
        }
    }
  g_assert_cmpfloat (best_d, >, 12);   /* no other port's symbol reaches it */

  png_base = g_build_filename (dir, "page", NULL);
  dpi_text = g_strdup_printf ("%g", dpi);
  {
    const char *argv[] = { "pdftoppm", "-r", dpi_text, "-png", "-singlefile", pdf, png_base, NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, &error);
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }
  png = g_strconcat (png_base, ".png", NULL);
  image = cairo_image_surface_create_from_png (png);
  g_assert_cmpint (cairo_surface_status (image), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (image), ==, 1224);

  g_assert_true (gis_color_parse (GIS_STYLE_PORT_FILL, &fill));
  {
    const guint8 *d = cairo_image_surface_get_data (image);
    int stride = cairo_image_surface_get_stride (image);
    int x = (int) floor (px * k), y = (int) floor (py * k);
    guint32 pixel = *(const guint32 *) (const void *) (d + (gsize) y * stride + x * 4);
    int r = (pixel >> 16) & 0xff, g = (pixel >> 8) & 0xff, b = pixel & 0xff;

    g_test_message ("port at (%.1f, %.1f) pt: #%02x%02x%02x", px, py, r, g, b);
    g_assert_cmpint (abs (r - (int) lround (fill.r * 255)), <=, 6);
    g_assert_cmpint (abs (g - (int) lround (fill.g * 255)), <=, 6);
    g_assert_cmpint (abs (b - (int) lround (fill.b * 255)), <=, 6);
  }
  cairo_surface_destroy (image);
  test_rm_rf (dir);
}

/* ---- SVG and PNG ------------------------------------------------------- */

typedef struct
{
  guint  n_text;
  guint  n_svg;
  gboolean in_text;
  GString *text;
} SvgCount;

static void
svg_start (GMarkupParseContext  *context,
           const char           *element,
           const char          **names,
           const char          **values,
           gpointer              user_data,
           GError              **error)
{
  SvgCount *count = user_data;

  if (strcmp (element, "text") == 0)
    {
      count->n_text++;
      count->in_text = TRUE;
    }
  else if (strcmp (element, "svg") == 0)
    count->n_svg++;
}

static void
svg_end (GMarkupParseContext  *context,
         const char           *element,
         gpointer              user_data,
         GError              **error)
{
  SvgCount *count = user_data;

  if (strcmp (element, "text") == 0)
    {
      count->in_text = FALSE;
      g_string_append_c (count->text, '\n');
    }
}

static void
svg_text (GMarkupParseContext  *context,
          const char           *text,
          gsize                 len,
          gpointer              user_data,
          GError              **error)
{
  SvgCount *count = user_data;

  if (count->in_text)
    g_string_append_len (count->text, text, len);
}

/* The SVG is well-formed XML whose page text is text elements. */
static void
test_svg_xml (void)
{
  static const GMarkupParser parser = { svg_start, svg_end, svg_text, NULL, NULL };
  g_autoptr(GisComposition) c = NULL;
  g_autoptr(GMarkupParseContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *svg = NULL;
  g_autofree char *contents = NULL;
  SvgCount count = { 0 };
  gsize len;

  if (skip_without_sample ())
    return;
  dir = test_make_tmpdir ();
  c = sample_composition ();
  gis_composition_set_title (c, "Ports & incidents <2026>");
  gis_composition_set_layers (c, (const char *const[]) { "countries", "ports", NULL });
  svg = export (c, dir, "map.svg", GIS_COMPOSE_SVG, 0);
  g_assert_true (g_file_get_contents (svg, &contents, &len, &error));
  g_assert_no_error (error);

  count.text = g_string_new (NULL);
  context = g_markup_parse_context_new (&parser, 0, &count, NULL);
  g_assert_true (g_markup_parse_context_parse (context, contents, len, &error));
  g_assert_no_error (error);
  g_assert_true (g_markup_parse_context_end_parse (context, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (count.n_svg, >=, 1);
  g_assert_cmpuint (count.n_text, >, 5);
  g_assert_nonnull (strstr (count.text->str, "Ports & incidents <2026>"));
  g_assert_nonnull (strstr (count.text->str, "Legend"));
  g_assert_nonnull (strstr (count.text->str, "ports"));
  g_assert_nonnull (strstr (count.text->str, "km"));
  g_string_free (count.text, TRUE);
  test_rm_rf (dir);
}

/* 300 DPI on Letter is 2550 × 3300 pixels; landscape turns it. */
static void
test_png_dpi (void)
{
  g_autoptr(GisComposition) c = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *png = NULL;
  g_autofree char *png2 = NULL;
  cairo_surface_t *image;

  if (skip_without_sample ())
    return;
  dir = test_make_tmpdir ();
  c = sample_composition ();
  gis_composition_set_layers (c, (const char *const[]) { "countries", "ports", NULL });
  png = export (c, dir, "map.png", GIS_COMPOSE_PNG, 300);
  image = cairo_image_surface_create_from_png (png);
  g_assert_cmpint (cairo_surface_status (image), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (image), ==, 2550);
  g_assert_cmpint (cairo_image_surface_get_height (image), ==, 3300);
  cairo_surface_destroy (image);
  /* and says so: 300 DPI is 11811 pixels per metre, in its pHYs chunk */
  {
    g_autofree char *bytes = NULL;
    gsize len;
    const guint8 *phys = NULL;

    g_assert_true (g_file_get_contents (png, &bytes, &len, NULL));
    for (gsize i = 8; i + 17 < MIN (len, 256) && phys == NULL; i++)
      if (memcmp (bytes + i, "pHYs", 4) == 0)
        phys = (const guint8 *) bytes + i;
    g_assert_nonnull (phys);
    g_assert_cmpuint ((guint) phys[4] << 24 | phys[5] << 16 | phys[6] << 8 | phys[7], ==, 11811);
    g_assert_cmpuint ((guint) phys[8] << 24 | phys[9] << 16 | phys[10] << 8 | phys[11], ==, 11811);
    g_assert_cmpuint (phys[12], ==, 1);
  }

  gis_composition_set_page (c, GIS_PAGE_A4, TRUE);
  png2 = export (c, dir, "a4.png", GIS_COMPOSE_PNG, 100);
  image = cairo_image_surface_create_from_png (png2);
  g_assert_cmpint (cairo_image_surface_get_width (image), ==, 1169);
  g_assert_cmpint (cairo_image_surface_get_height (image), ==, 827);
  cairo_surface_destroy (image);
  test_rm_rf (dir);
}

/* ---- atlas and framing ------------------------------------------------- */

static guint
pdf_pages (const char *pdf)
{
  const char *argv[] = { "pdfinfo", pdf, NULL };
  g_autofree char *out = NULL;
  const char *line;
  int status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                               NULL, NULL, &out, NULL, &status, NULL));
  line = strstr (out, "Pages:");
  g_assert_nonnull (line);
  return (guint) g_ascii_strtoull (line + strlen ("Pages:"), NULL, 10);
}

/* One page per state and province, each titled with its name. */
static void
test_atlas (void)
{
  g_autoptr(GisComposition) c = NULL;
  g_autoptr(GisStore) store = NULL;
  g_autoptr(GisLayer) states = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *pdf = NULL;
  g_autofree char *title = NULL;
  g_autofree char *text = NULL;
  gint64 n_states;

  if (skip_without_sample ())
    return;
  store = gis_store_open (sample_path, GIS_STORE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  states = gis_store_get_layer (store, "states_provinces", &error);
  g_assert_no_error (error);
  n_states = gis_layer_get_feature_count (states);
  g_assert_cmpint (n_states, >=, 60);

  dir = test_make_tmpdir ();
  c = sample_composition ();
  gis_composition_set_title (c, "States and provinces");
  gis_composition_set_layers (c, (const char *const[]) { "states_provinces", "ports", NULL });
  gis_composition_set_atlas (c, "states_provinces", "name");
  g_assert_true (gis_composition_load (c, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (gis_composition_get_n_pages (c), ==, n_states);
  for (guint i = 0; i < gis_composition_get_n_pages (c); i++)
    {
      g_autofree char *t = gis_composition_dup_page_title (c, i);

      if (g_strcmp0 (t, "Texas") == 0)
        title = g_steal_pointer (&t);
    }
  g_assert_cmpstr (title, ==, "Texas");

  /* without a title field, the layer's name field titles the pages */
  {
    g_autoptr(GisComposition) named = sample_composition ();
    g_autofree char *first = NULL;

    gis_composition_set_layers (named, (const char *const[]) { "states_provinces", NULL });
    gis_composition_set_atlas (named, "states_provinces", NULL);
    g_assert_true (gis_composition_load (named, NULL, NULL, NULL, &error));
    g_assert_no_error (error);
    first = gis_composition_dup_page_title (named, 0);
    g_assert_cmpstr (first, !=, "Map");
    g_assert_cmpstr (first, !=, "");
  }

  pdf = export (c, dir, "atlas.pdf", GIS_COMPOSE_PDF, 0);
  if (!skip_without ("pdfinfo"))
    g_assert_cmpuint (pdf_pages (pdf), ==, n_states);
  if (g_find_program_in_path ("pdftotext") != NULL)
    {
      text = pdf_text (pdf);
      g_assert_nonnull (strstr (text, "Texas"));
      g_assert_nonnull (strstr (text, "Chihuahua"));
      g_assert_nonnull (strstr (text, "Ontario"));
    }
  test_rm_rf (dir);
}

/* A PNG atlas is numbered files. */
static void
test_atlas_png (void)
{
  g_autoptr(GisComposition) c = NULL;
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;

  if (skip_without_sample ())
    return;
  dir = test_make_tmpdir ();
  path = g_build_filename (dir, "state.png", NULL);
  c = sample_composition ();
  gis_composition_set_layers (c, (const char *const[]) { "countries", NULL });
  gis_composition_set_atlas (c, "countries", "name");
  files = gis_composition_export (c, path, GIS_COMPOSE_PNG, 20, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (files->len, ==, 3);
  for (guint i = 0; i < files->len; i++)
    {
      g_autofree char *name = g_strdup_printf ("state-%03u.png", i + 1);
      g_autofree char *expected = g_build_filename (dir, name, NULL);

      g_assert_cmpstr (g_ptr_array_index (files, i), ==, expected);
      g_assert_true (g_file_test (expected, G_FILE_TEST_IS_REGULAR));
    }
  test_rm_rf (dir);
}

/* A feature frames the map; an unknown one is an error naming it. */
static void
test_feature (void)
{
  g_autoptr(GisComposition) c = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GisCrs) lonlat = gis_crs_new_storage ();
  g_autoptr(GisCrs) laea = NULL;
  g_autoptr(GisTransform) t = NULL;
  GisViewState view;
  double fx, fy, x = -99.0, y = 31.0, px, py;    /* central Texas */

  if (skip_without_sample ())
    return;
  c = sample_composition ();
  gis_composition_set_feature (c, "states_provinces", "name", "texas");
  g_assert_true (gis_composition_load (c, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (gis_composition_get_map_frame (c, 0, &fx, &fy, &view, &error));
  laea = gis_crs_new (GIS_CRS_CEC_LAEA_ID, &error);
  t = gis_transform_new (lonlat, laea, &error);
  g_assert_no_error (error);
  g_assert_true (gis_transform_point (t, &x, &y));
  gis_view_state_map_to_pixel (&view, x, y, &px, &py);
  g_assert_cmpfloat (px, >, 0.2 * view.width_px);
  g_assert_cmpfloat (px, <, 0.8 * view.width_px);
  g_assert_cmpfloat (py, >, 0.2 * view.height_px);
  g_assert_cmpfloat (py, <, 0.8 * view.height_px);
  /* Texas is ~1,200 km across: a frame of ~500 pt shows ~1,300–2,000 km */
  g_assert_cmpfloat (view.resolution * view.width_px, >, 1.1e6);
  g_assert_cmpfloat (view.resolution * view.width_px, <, 2.5e6);

  gis_composition_set_feature (c, "states_provinces", "name", "Atlantis");
  g_assert_false (gis_composition_load (c, NULL, NULL, NULL, &error));
  g_assert_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "Atlantis"));
  g_clear_error (&error);

  gis_composition_set_feature (c, "states_provinces", "nom", "Texas");
  g_assert_false (gis_composition_load (c, NULL, NULL, NULL, &error));
  g_assert_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND);
}

/* A cancelled export stops with G_IO_ERROR_CANCELLED. */
static void
test_cancel (void)
{
  g_autoptr(GisComposition) c = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) files = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;

  if (skip_without_sample ())
    return;
  dir = test_make_tmpdir ();
  path = g_build_filename (dir, "map.pdf", NULL);
  c = sample_composition ();
  g_cancellable_cancel (cancellable);
  files = gis_composition_export (c, path, GIS_COMPOSE_PDF, 0, cancellable, NULL, NULL, &error);
  g_assert_null (files);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* cairo had created the file: it is gone */
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  test_rm_rf (dir);
}

/* A window's view, a box in its map CRS, is what the frame shows: fitted
 * tightly in the same CRS, through its bounds in another. */
static void
test_map_extent (void)
{
  static const char *const crs_ids[] = { GIS_CRS_CEC_LAEA_ID, "EPSG:5070", "EPSG:4326" };
  g_autoptr(GisCrs) laea = NULL;
  g_autoptr(GError) error = NULL;
  /* the US–Mexico border and Texas, in the CEC LAEA (metres) */
  const GisExtent box = { -1.2e6, -2.2e6, 0.3e6, -0.9e6 };

  if (skip_without_sample ())
    return;
  laea = gis_crs_new (GIS_CRS_CEC_LAEA_ID, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (crs_ids); i++)
    {
      g_autoptr(GisComposition) c = sample_composition ();
      g_autoptr(GisCrs) crs = gis_crs_new (crs_ids[i], &error);
      g_autoptr(GisTransform) t = NULL;
      GisViewState view;
      GisExtent shown, want;
      double fx, fy;

      g_assert_no_error (error);
      gis_composition_set_crs (c, crs);
      gis_composition_set_layers (c, (const char *const[]) { "countries", NULL });
      gis_composition_set_map_extent (c, laea, &box);
      g_assert_true (gis_composition_load (c, NULL, NULL, NULL, &error));
      g_assert_no_error (error);
      g_assert_true (gis_composition_get_map_frame (c, 0, &fx, &fy, &view, &error));
      g_assert_no_error (error);
      gis_view_state_get_extent (&view, &shown);

      t = gis_transform_new (laea, crs, &error);
      g_assert_no_error (error);
      g_assert_true (gis_transform_bounds (t, &box, &want));
      g_test_message ("%s: shown %g %g %g %g for %g %g %g %g", crs_ids[i], shown.min_x, shown.min_y,
                      shown.max_x, shown.max_y, want.min_x, want.min_y, want.max_x, want.max_y);
      /* the box is inside, touching two sides */
      g_assert_cmpfloat (shown.min_x, <=, want.min_x + 1e-6 * (want.max_x - want.min_x));
      g_assert_cmpfloat (shown.max_x, >=, want.max_x - 1e-6 * (want.max_x - want.min_x));
      g_assert_cmpfloat (shown.min_y, <=, want.min_y + 1e-6 * (want.max_y - want.min_y));
      g_assert_cmpfloat (shown.max_y, >=, want.max_y - 1e-6 * (want.max_y - want.min_y));
      g_assert_true (fabs ((shown.max_x - shown.min_x) - (want.max_x - want.min_x)) < 0.01 * (want.max_x - want.min_x) ||
                     fabs ((shown.max_y - shown.min_y) - (want.max_y - want.min_y)) < 0.01 * (want.max_y - want.min_y));
    }
}

/* Cancels the export when its third page starts. */
static void
cancel_at_third_page (double      fraction,
                      const char *message,
                      gpointer    user_data)
{
  if (message != NULL && g_str_has_prefix (message, "Page 3 "))
    g_cancellable_cancel (user_data);
}

/* An atlas cancelled after two pages leaves none: neither numbered PNG
 * files nor a cut-off PDF. */
static void
test_cancel_atlas (void)
{
  static const GisComposeFormat formats[] = { GIS_COMPOSE_PNG, GIS_COMPOSE_PDF };
  g_autofree char *dir = NULL;

  if (skip_without_sample ())
    return;
  dir = test_make_tmpdir ();
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_autoptr(GisComposition) c = sample_composition ();
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) files = NULL;
      g_autoptr(GDir) listing = NULL;
      g_autofree char *path = g_build_filename (dir, formats[i] == GIS_COMPOSE_PNG ? "state.png" : "states.pdf",
                                                NULL);

      gis_composition_set_layers (c, (const char *const[]) { "states_provinces", NULL });
      gis_composition_set_atlas (c, "states_provinces", "name");
      files = gis_composition_export (c, path, formats[i], 10, cancellable, cancel_at_third_page,
                                      cancellable, &error);
      g_assert_null (files);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      listing = g_dir_open (dir, 0, NULL);
      g_assert_nonnull (listing);
      g_assert_null (g_dir_read_name (listing));
    }
  test_rm_rf (dir);
}

static void
export_ready_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GPtrArray **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = gis_composition_export_finish (GIS_COMPOSITION (source), result, &error);
  g_assert_no_error (error);
}

static void
on_progress (double      fraction,
             const char *message,
             gpointer    user_data)
{
  g_atomic_int_inc ((int *) user_data);
}

/* The export a window starts: on a worker, with progress. */
static void
test_async (void)
{
  g_autoptr(GisComposition) c = NULL;
  g_autoptr(GPtrArray) files = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  int n_progress = 0;

  if (skip_without_sample ())
    return;
  dir = test_make_tmpdir ();
  path = g_build_filename (dir, "map.svg", NULL);
  c = sample_composition ();
  gis_composition_set_layers (c, (const char *const[]) { "countries", NULL });
  gis_composition_export_async (c, path, GIS_COMPOSE_SVG, 0, NULL, on_progress, &n_progress,
                                export_ready_cb, &files);
  while (files == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (files->len, ==, 1);
  g_assert_cmpint (g_atomic_int_get (&n_progress), >=, 2);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  test_rm_rf (dir);
}

/* The notes carry the method record of the result layers drawn: a
 * coverage run's six layers share one record, told once. */
static void
test_method_records (void)
{
  g_autoptr(GisComposition) c = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *copy = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *pdf = NULL;
  g_autofree char *text = NULL;
  g_autofree char *flat = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  gsize len;

  if (skip_without_sample () || skip_without ("pdftotext"))
    return;
  dir = test_make_tmpdir ();
  copy = g_build_filename (dir, "store.sqlite", NULL);
  g_assert_true (g_file_get_contents (sample_path, &contents, &len, &error));
  g_assert_true (g_file_set_contents (copy, contents, len, &error));
  g_assert_no_error (error);
  {
    const char *args[] = { "coverage", copy, "-r", "ports", "--radius", "50", "--corridor", "100",
                           "--between", "US-MX", "-f", "facilities", "-d", "incidents", "-k", "2",
                           "--grid", "20", "--save-as", "gaps", "-q", NULL };

    g_assert_cmpint (test_run_cli (args, &out, &err), ==, 0);
  }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  {
    const char *args[] = { "hotspots", copy, "--method", "kde", "--radius", "50", "--cell", "10",
                           "--save-as", "density", "-q", NULL };

    g_assert_cmpint (test_run_cli (args, &out, &err), ==, 0);
  }

  c = gis_composition_new (copy);
  gis_composition_set_feature (c, "states_provinces", "name", "Texas");
  pdf = export (c, dir, "gaps.pdf", GIS_COMPOSE_PDF, 0);
  text = pdf_text (pdf);
  /* the notes wrap: compare on one line */
  flat = g_strdelimit (g_strdup (text), "\n", ' ');
  g_test_message ("%s", text);
  g_assert_nonnull (strstr (flat, "Method records:"));
  g_assert_nonnull (strstr (flat, "Coverage gaps"));
  g_assert_nonnull (strstr (flat, "radius_km 50"));
  g_assert_nonnull (strstr (flat, "Inputs:"));
  g_assert_nonnull (strstr (flat, "gaps: service areas"));
  /* told once */
  g_assert_null (strstr (strstr (flat, "Coverage gaps") + 1, "Coverage gaps,"));
  /* a raster's record, and its legend: the ramp from its lowest value */
  g_assert_nonnull (strstr (flat, "density — Kernel density"));
  g_assert_nonnull (strstr (flat, "0 – "));
  test_rm_rf (dir);
}

/* The page's own text follows the export's language, not the process's
 * (the tests run under C.UTF-8): the legend's and notes' titles, the scale,
 * the date and the default title, read from the SVG's text elements, so
 * without poppler too (test_pdf_languages reads the PDF). */
static void
test_languages (void)
{
  static const struct
  {
    GisLanguage  language;
    const char  *expected[6];
  } cases[] = {
    { GIS_LANGUAGE_FR, { "Légende", "Échelle 1:", "Système de coordonnées", "Date", "28 novembre 2026",
                         "Carte" } },
    { GIS_LANGUAGE_ES, { "Leyenda", "Escala 1:", "Sistema de coordenadas", "Fuentes:", "28 de noviembre de 2026",
                         "Mapa" } },
    { GIS_LANGUAGE_EN, { "Legend", "Scale 1:", "Sources:", "Coordinate system:", "November 28, 2026", "Map" } },
  };
  g_autofree char *dir = NULL;

  if (skip_without_sample ())
    return;
  dir = test_make_tmpdir ();
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      static const GMarkupParser parser = { svg_start, svg_end, svg_text, NULL, NULL };
      g_autoptr(GisComposition) c = sample_composition ();
      g_autoptr(GMarkupParseContext) context = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *name = g_strdup_printf ("map-%s.svg", gis_language_to_string (cases[i].language));
      g_autofree char *svg = NULL;
      g_autofree char *contents = NULL;
      SvgCount count = { 0 };
      gsize len;

      gis_composition_set_language (c, cases[i].language);
      gis_composition_set_layers (c, (const char *const[]) { "countries", "ports", NULL });
      svg = export (c, dir, name, GIS_COMPOSE_SVG, 0);
      g_assert_true (g_file_get_contents (svg, &contents, &len, &error));
      count.text = g_string_new (NULL);
      context = g_markup_parse_context_new (&parser, 0, &count, NULL);
      g_assert_true (g_markup_parse_context_parse (context, contents, len, &error));
      g_assert_no_error (error);
      g_test_message ("%s", count.text->str);
      for (guint k = 0; k < G_N_ELEMENTS (cases[i].expected); k++)
        g_assert_nonnull (strstr (count.text->str, cases[i].expected[k]));
      if (cases[i].language != GIS_LANGUAGE_EN)
        g_assert_null (strstr (count.text->str, "Legend"));
      g_string_free (count.text, TRUE);
    }

  test_rm_rf (dir);
}

/* ---- atalaya-cli export-map -------------------------------------------- */

static int
run_cli (char       **out,
         char       **err,
         const char  *first,
         ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  va_list ap;
  int rc;

  va_start (ap, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  rc = test_run_cli ((const char *const *) args->pdata, out, err);
  g_test_message ("exit %d\nstdout: %s\nstderr: %s", rc, *out ? *out : "", *err ? *err : "");
  return rc;
}

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
test_cli (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *pdf = NULL;
  g_autofree char *png = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonObject) o = NULL;
  JsonObject *frame;

  if (skip_without_sample ())
    return;
  dir = test_make_tmpdir ();
  pdf = g_build_filename (dir, "texas.pdf", NULL);
  g_assert_cmpint (run_cli (&out, &err, "export-map", sample_path, pdf, "--feature",
                            "states_provinces:name=Texas", "--title", "Texas", "--page", "legal",
                            "--landscape", "--margin", "10", "--locator", "--lang", "es",
                            "--layer", "states_provinces", "--layer", "ports", "--json", NULL), ==, 0);
  o = parse_object (out);
  g_assert_cmpint (json_object_get_int_member (o, "pages"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (o, "page"), ==, "legal");
  g_assert_true (json_object_get_boolean_member (o, "landscape"));
  g_assert_cmpfloat (json_object_get_double_member (o, "width_pt"), ==, 1008);
  g_assert_cmpstr (json_object_get_string_member (o, "language"), ==, "es");
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (o, "outputs"), 0), ==, pdf);
  frame = json_object_get_object_member (o, "frame");
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (frame, "x_pt"), 10 * 72 / 25.4, 1e-6);
  g_assert_cmpint (json_object_get_int_member (frame, "width_pt"), >, 500);
  g_assert_true (g_file_test (pdf, G_FILE_TEST_IS_REGULAR));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* an atlas of the countries, in numbered PNGs */
  png = g_build_filename (dir, "country.png", NULL);
  g_assert_cmpint (run_cli (&out, &err, "export-map", sample_path, png, "--atlas", "countries",
                            "--atlas-title", "name", "--dpi", "30", "--layer", "countries", "--json",
                            NULL), ==, 0);
  g_clear_pointer (&o, json_object_unref);
  o = parse_object (out);
  g_assert_cmpint (json_object_get_int_member (o, "pages"), ==, 3);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "outputs")), ==, 3);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* usage errors exit 2, user errors 1 with the culprit named */
  {
    static const struct
    {
      const char *option;
      const char *value;
      int         rc;
      const char *named;
    } cases[] = {
      { "--page", "b5", 2, "--page" },
      { "--lang", "de", 2, "--lang" },
      { "--dpi", "0", 2, "--dpi" },
      { "--margin", "80", 2, "--margin" },
      { "--atlas-title", "name", 2, "--atlas" },
      { "--feature", "states_provinces", 1, "LAYER:FIELD=VALUE" },
      { "--feature", "states_provinces:name=Atlantis", 1, "Atlantis" },
      { "--layer", "rivers", 1, "rivers" },
      { "--atlas", "rivers", 1, "rivers" },
      { "--extent", "10,10,5,5", 1, "MINLON" },
      { "--crs", "EPSG:999999", 1, "999999" },
      { "--date", "yesterday", 1, "yesterday" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_assert_cmpint (run_cli (&out, &err, "export-map", sample_path, pdf, cases[i].option,
                                  cases[i].value, NULL), ==, cases[i].rc);
        g_assert_nonnull (strstr (err, cases[i].named));
        g_clear_pointer (&out, g_free);
        g_clear_pointer (&err, g_free);
      }
  }
  g_assert_cmpint (run_cli (&out, &err, "export-map", sample_path, "map.jpg", NULL), ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (&out, &err, "export-map", "no-such-store.sqlite", pdf, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "no-such-store.sqlite"));
  test_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  const char *path = g_getenv ("ATALAYA_SAMPLE_STORE");
  const char *localedir = g_getenv ("ATALAYA_LOCALEDIR");
  int ret;

  setlocale (LC_ALL, "");
  if (localedir != NULL)
    bindtextdomain (GETTEXT_PACKAGE, localedir);
  g_test_init (&argc, &argv, NULL);
  gis_init ();
  if (path != NULL && g_file_test (path, G_FILE_TEST_EXISTS))
    sample_path = g_strdup (path);

  g_test_add_func ("/compose/page-sizes", test_page_sizes);
  g_test_add_func ("/compose/landscape", test_landscape);
  g_test_add_func ("/compose/pdf-text", test_pdf_text);
  g_test_add_func ("/compose/pdf-languages", test_pdf_languages);
  g_test_add_func ("/compose/pdf-port-pixel", test_pdf_port_pixel);
  g_test_add_func ("/compose/svg-xml", test_svg_xml);
  g_test_add_func ("/compose/png-dpi", test_png_dpi);
  g_test_add_func ("/compose/atlas", test_atlas);
  g_test_add_func ("/compose/atlas-png", test_atlas_png);
  g_test_add_func ("/compose/feature", test_feature);
  g_test_add_func ("/compose/map-extent", test_map_extent);
  g_test_add_func ("/compose/cancel", test_cancel);
  g_test_add_func ("/compose/cancel-atlas", test_cancel_atlas);
  g_test_add_func ("/compose/async", test_async);
  g_test_add_func ("/compose/method-records", test_method_records);
  g_test_add_func ("/compose/languages", test_languages);
  g_test_add_func ("/compose/cli", test_cli);
  ret = g_test_run ();

  gis_shutdown ();
  g_free (sample_path);
  return ret;
}
