/* test-cli-map.c: atalaya-cli render and style
 *
 * The map is drawn in EPSG:4326 over a box whose shape is the image's,
 * so where each point must land is plain arithmetic done here: 0.025° a
 * pixel, (lon + 120) / 0.025 across, (35 - lat) / 0.025 down.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <cairo.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "gis.h"
#include "test-util.h"

#define GREEN 0xff00ff00u   /* the points' colour, opaque ARGB */

typedef struct
{
  double lon, lat;
} Point;

/* A on 2020-03-05, B on 2023-07-01, C on 2023-12-31 */
static const Point A = { -110, 30 }, B = { -105, 32 }, C = { -115, 28 };

static int
run (char       **out,
     char       **err,
     const char  *first,
     ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  va_list ap;
  const char *arg;
  int rc;

  va_start (ap, first);
  for (arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  rc = test_run_cli ((const char *const *) args->pdata, out, err);
  g_test_message ("exit %d\nstdout: %s\nstderr: %s", rc, out ? *out : "", err ? *err : "");
  return rc;
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

typedef struct
{
  char *dir;
  char *store;
} Fixture;

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  g_autofree char *csv = NULL;
  g_autofree char *out = NULL, *err = NULL;

  fx->dir = test_make_tmpdir ();
  fx->store = g_build_filename (fx->dir, "map.sqlite", NULL);
  /* kind: "b" twice, "a" twice, "c" once; ties go in text order */
  csv = test_write_file (fx->dir, "pts.csv",
                         "name,when,kind,sev,lon,lat\n"
                         "A,2020-03-05,b,1,-110,30\n"
                         "B,2023-07-01,a,2,-105,32\n"
                         "C,2023-12-31,b,5,-115,28\n"
                         "D,2019-01-01,c,3,-150,60\n"
                         "E,2019-01-02,a,4,-150,61\n", -1);
  g_assert_cmpint (run (&out, &err, "init", fx->store, NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (&out, &err, "import", fx->store, csv, "--name", "pts", "--role", "incident",
                        "--date-field", "when", "--category-field", "kind",
                        "--severity-field", "sev", "-q", NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (&out, &err, "style", fx->store, "pts", "--single", "#00ff00",
                        "--size", "12", "-q", NULL), ==, 0);
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  test_rm_rf (fx->dir);
  g_free (fx->dir);
  g_free (fx->store);
}

/* Renders the box -120..-100 × 25..35 into 800 × 400 in EPSG:4326. */
static cairo_surface_t *
render (Fixture    *fx,
        const char *extra1,
        const char *extra2,
        const char *extra3)
{
  g_autofree char *png = g_build_filename (fx->dir, "map.png", NULL);
  g_autofree char *out = NULL, *err = NULL;
  cairo_surface_t *surface;

  g_assert_cmpint (run (&out, &err, "render", fx->store, png, "--crs", "EPSG:4326",
                        "--extent=-120,25,-100,35", "--width", "800", "--height", "400", "-q",
                        extra1, extra2, extra3, NULL), ==, 0);
  surface = cairo_image_surface_create_from_png (png);
  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (surface), ==, 800);
  g_assert_cmpint (cairo_image_surface_get_height (surface), ==, 400);
  return surface;
}

static guint32
pixel_at (cairo_surface_t *surface,
          const Point     *p)
{
  int x = (int) ((p->lon + 120) / 0.025);
  int y = (int) ((35 - p->lat) / 0.025);
  const guint8 *row;

  cairo_surface_flush (surface);
  row = cairo_image_surface_get_data (surface) + y * cairo_image_surface_get_stride (surface);
  return ((const guint32 *) row)[x];
}

static void
test_render_positions (Fixture       *fx,
                       gconstpointer  data)
{
  cairo_surface_t *s = render (fx, NULL, NULL, NULL);
  g_autofree char *png = g_build_filename (fx->dir, "json.png", NULL);
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *obj;
  JsonArray *center;
  const Point corner = { -119.5, 34.5 };

  g_assert_cmphex (pixel_at (s, &A), ==, GREEN);
  g_assert_cmphex (pixel_at (s, &B), ==, GREEN);
  g_assert_cmphex (pixel_at (s, &C), ==, GREEN);
  g_assert_cmphex (pixel_at (s, &corner), !=, GREEN);
  cairo_surface_destroy (s);

  g_assert_cmpint (run (&out, &err, "render", fx->store, png, "--crs", "EPSG:4326",
                        "--extent=-120,25,-100,35", "--width", "800", "--height", "400", "--json",
                        NULL), ==, 0);
  root = parse_json (out);
  obj = json_node_get_object (root);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (obj, "resolution"), 0.025, 1e-12);
  center = json_object_get_array_member (obj, "center");
  g_assert_cmpfloat_with_epsilon (json_array_get_double_element (center, 0), -110, 1e-9);
  g_assert_cmpfloat_with_epsilon (json_array_get_double_element (center, 1), 30, 1e-9);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (obj, "layers")), ==, 1);
  g_assert_true (json_object_get_null_member (obj, "from"));
}

static void
test_render_time (Fixture       *fx,
                  gconstpointer  data)
{
  cairo_surface_t *s;

  /* a year: the last day of it is in */
  s = render (fx, "--from", "2023", "--to=2023");
  g_assert_cmphex (pixel_at (s, &A), !=, GREEN);
  g_assert_cmphex (pixel_at (s, &B), ==, GREEN);
  g_assert_cmphex (pixel_at (s, &C), ==, GREEN);
  cairo_surface_destroy (s);

  /* up to a day: that whole day */
  s = render (fx, "--to", "2023-07-01", NULL);
  g_assert_cmphex (pixel_at (s, &A), ==, GREEN);
  g_assert_cmphex (pixel_at (s, &B), ==, GREEN);
  g_assert_cmphex (pixel_at (s, &C), !=, GREEN);
  cairo_surface_destroy (s);

  /* from a month */
  s = render (fx, "--from", "2023-08", NULL);
  g_assert_cmphex (pixel_at (s, &A), !=, GREEN);
  g_assert_cmphex (pixel_at (s, &B), !=, GREEN);
  g_assert_cmphex (pixel_at (s, &C), ==, GREEN);
  cairo_surface_destroy (s);
}

static void
test_render_hidden (Fixture       *fx,
                    gconstpointer  data)
{
  g_autofree char *out = NULL, *err = NULL;
  cairo_surface_t *s;

  g_assert_cmpint (run (&out, &err, "style", fx->store, "pts", "--hide", "-q", NULL), ==, 0);

  /* hidden layers are not drawn, unless named */
  s = render (fx, NULL, NULL, NULL);
  g_assert_cmphex (pixel_at (s, &A), !=, GREEN);
  cairo_surface_destroy (s);
  s = render (fx, "--layer", "pts", NULL);
  g_assert_cmphex (pixel_at (s, &A), ==, GREEN);
  cairo_surface_destroy (s);
}

static void
test_render_vector (Fixture       *fx,
                    gconstpointer  data)
{
  g_autofree char *svg = g_build_filename (fx->dir, "map.svg", NULL);
  g_autofree char *pdf = g_build_filename (fx->dir, "map.PDF", NULL);
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *text = NULL;
  gsize len;

  g_assert_cmpint (run (&out, &err, "render", fx->store, svg, "--width", "640", "--height", "480",
                        NULL), ==, 0);
  g_assert_true (g_file_get_contents (svg, &text, &len, NULL));
  g_assert_nonnull (strstr (text, "<svg"));
  g_assert_nonnull (strstr (text, "width=\"640\""));
  /* the points are vector shapes, not one embedded image */
  g_assert_nonnull (strstr (text, "<path"));
  g_assert_null (strstr (text, "<image"));
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run (&out, &err, "render", fx->store, pdf, NULL), ==, 0);
  g_assert_true (g_file_get_contents (pdf, &text, &len, NULL));
  g_assert_cmpuint (len, >, 100);
  g_assert_true (g_str_has_prefix (text, "%PDF-"));
}

static void
test_render_errors (Fixture       *fx,
                    gconstpointer  data)
{
  g_autofree char *png = g_build_filename (fx->dir, "e.png", NULL);
  g_autofree char *txt = g_build_filename (fx->dir, "e.txt", NULL);
  g_autofree char *missing = g_build_filename (fx->dir, "none.sqlite", NULL);
  g_autofree char *bad_dir = g_build_filename (fx->dir, "no", "such", "dir.png", NULL);
  static const struct
  {
    const char *option, *value, *in_message;
  } user_errors[] = {
    { "--extent", "-100,25,-120,35", "--extent" },
    { "--extent", "-120,25,-100", "--extent" },
    { "--from", "2023-13", "2023-13" },
    { "--to", "yesterday", "yesterday" },
    { "--layer", "nope", "nope" },
    { "--crs", "EPSG:999999", "999999" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (user_errors); i++)
    {
      g_autofree char *out = NULL, *err = NULL;

      g_assert_cmpint (run (&out, &err, "render", fx->store, png, user_errors[i].option,
                            user_errors[i].value, NULL), ==, 1);
      g_assert_nonnull (strstr (err, user_errors[i].in_message));
      g_assert_cmpuint (strlen (err), ==, strcspn (err, "\n") + 1);
      g_assert_false (g_file_test (png, G_FILE_TEST_EXISTS));
    }

  {
    g_autofree char *out = NULL, *err = NULL;

    g_assert_cmpint (run (&out, &err, "render", fx->store, png, "--from", "2024", "--to", "2023",
                          NULL), ==, 1);
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (run (&out, &err, "render", missing, png, NULL), ==, 1);
    g_assert_nonnull (strstr (err, "none.sqlite"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (run (&out, &err, "render", fx->store, bad_dir, NULL), ==, 1);
    g_assert_nonnull (strstr (err, "dir.png"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);

    /* usage errors */
    g_assert_cmpint (run (&out, &err, "render", fx->store, txt, NULL), ==, 2);
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (run (&out, &err, "render", fx->store, png, "--width", "0", NULL), ==, 2);
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (run (&out, &err, "render", fx->store, NULL), ==, 2);
  }
}

static JsonObject *
style_of (JsonNode **root,
          Fixture   *fx)
{
  g_autofree char *out = NULL, *err = NULL;

  g_assert_cmpint (run (&out, &err, "style", fx->store, "pts", "--json", NULL), ==, 0);
  *root = parse_json (out);
  return json_node_get_object (*root);
}

static void
test_style_kinds (Fixture       *fx,
                  gconstpointer  data)
{
  static const char *const expected[] = { "a", "b", "c" };   /* 2, 2 (text order), 1 */
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GisStore) store = NULL;
  g_autoptr(GisLayer) layer = NULL;
  g_autoptr(GisStyle) saved = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *style;
  JsonArray *categories;

  g_assert_cmpint (run (&out, &err, "style", fx->store, "pts", "--categorized", "category",
                        "--label", "name", "--opacity", "0.4", "-q", NULL), ==, 0);
  style = json_object_get_object_member (style_of (&root, fx), "style");
  g_assert_cmpstr (json_object_get_string_member (style, "kind"), ==, "categorized");
  categories = json_object_get_array_member (style, "categories");
  g_assert_cmpuint (json_array_get_length (categories), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (categories, i), "value"),
                     ==, expected[i]);
  g_assert_cmpfloat (json_object_get_double_member (json_node_get_object (root), "opacity"), ==, 0.4);

  /* what the window reads back from the store */
  store = gis_store_open (fx->store, GIS_STORE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  layer = gis_store_get_layer (store, "pts", &error);
  g_assert_no_error (error);
  saved = gis_style_new_from_json (gis_layer_get_style_json (layer), &error);
  g_assert_no_error (error);
  g_assert_cmpint (gis_style_get_kind (saved), ==, GIS_STYLE_CATEGORIZED);
  g_assert_cmpstr (gis_style_get_label (saved)->field, ==, "name");
  g_assert_cmpfloat (gis_layer_get_opacity (layer), ==, 0.4);
  g_clear_object (&layer);
  g_clear_object (&store);
  g_clear_pointer (&root, json_node_unref);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run (&out, &err, "style", fx->store, "pts", "--graduated", "severity",
                        "--method", "equal-interval", "--classes", "4", "--ramp", "viridis", "-q",
                        NULL), ==, 0);
  style = json_object_get_object_member (style_of (&root, fx), "style");
  g_assert_cmpstr (json_object_get_string_member (style, "kind"), ==, "graduated");
  g_assert_cmpstr (json_object_get_string_member (style, "field"), ==, "severity");
  g_assert_cmpint (json_object_get_int_member (style, "classes"), ==, 4);
  g_assert_cmpstr (json_object_get_string_member (style, "method"), ==, "equal-interval");
  g_assert_cmpstr (json_object_get_string_member (style, "ramp"), ==, "viridis");
  /* the labels stay */
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (style, "label"), "field"),
                   ==, "name");
  g_clear_pointer (&root, json_node_unref);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run (&out, &err, "style", fx->store, "pts", "--heatmap", "--weight", "severity",
                        "--no-label", "-q", NULL), ==, 0);
  style = json_object_get_object_member (style_of (&root, fx), "style");
  g_assert_cmpstr (json_object_get_string_member (style, "kind"), ==, "heatmap");
  g_clear_pointer (&root, json_node_unref);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run (&out, &err, "style", fx->store, "pts", "--reset", "-q", NULL), ==, 0);
  style = json_object_get_object_member (style_of (&root, fx), "style");
  g_assert_cmpstr (json_object_get_string_member (style, "kind"), ==, "single");
}

static void
test_style_set_file (Fixture       *fx,
                     gconstpointer  data)
{
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autofree char *json = NULL;
  g_autofree char *file = NULL;
  g_autofree char *bad = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  JsonObject *style;

  /* a categorized style, written out, then set back after a reset */
  g_assert_cmpint (run (&out, &err, "style", fx->store, "pts", "--categorized", "category", "-q",
                        NULL), ==, 0);
  style_of (&root, fx);
  json_generator_set_root (gen, json_object_get_member (json_node_get_object (root), "style"));
  json = json_generator_to_data (gen, NULL);
  file = test_write_file (fx->dir, "style.json", json, -1);
  g_clear_pointer (&root, json_node_unref);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run (&out, &err, "style", fx->store, "pts", "--reset", "-q", NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (&out, &err, "style", fx->store, "pts", "--set", file, "-q", NULL), ==, 0);
  style = json_object_get_object_member (style_of (&root, fx), "style");
  g_assert_cmpstr (json_object_get_string_member (style, "kind"), ==, "categorized");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (style, "categories")), ==, 3);
  g_clear_pointer (&root, json_node_unref);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* refused: not JSON, a field the layer lacks; nothing changes */
  before = test_store_checksum (fx->store);
  bad = test_write_file (fx->dir, "bad.json", "{ \"kind\": ", -1);
  g_assert_cmpint (run (&out, &err, "style", fx->store, "pts", "--set", bad, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "bad.json"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&bad, g_free);
  bad = test_write_file (fx->dir, "nofield.json",
                         "{\"version\":1,\"kind\":\"graduated\",\"field\":\"depth\",\"method\":\"quantile\","
                         "\"classes\":3,\"ramp\":\"reds\"}", -1);
  g_assert_cmpint (run (&out, &err, "style", fx->store, "pts", "--set", bad, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "depth"));
  after = test_store_checksum (fx->store);
  g_assert_cmpstr (before, ==, after);
}

static void
test_style_errors (Fixture       *fx,
                   gconstpointer  data)
{
  g_autofree char *before = test_store_checksum (fx->store);
  g_autofree char *after = NULL;
  static const struct
  {
    const char *a, *b, *in_message;
    int rc;
  } cases[] = {
    { "--graduated", "name", "name", 1 },          /* text, not numbers */
    { "--categorized", "nope", "nope", 1 },
    { "--label", "nope", "nope", 1 },
    { "--opacity", "1.5", NULL, 2 },
    { "--method", "random", NULL, 2 },
    { "--ramp", "rainbow", NULL, 2 },
    { "--single", "green-ish", NULL, 2 },
    { "--classes", "0", NULL, 2 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = NULL, *err = NULL;
      int rc = run (&out, &err, "style", fx->store, "pts", cases[i].a, cases[i].b, NULL);

      g_assert_cmpint (rc, ==, cases[i].rc);
      if (cases[i].in_message != NULL)
        {
          g_assert_nonnull (strstr (err, cases[i].in_message));
          g_assert_cmpuint (strlen (err), ==, strcspn (err, "\n") + 1);
        }
    }

  {
    g_autofree char *out = NULL, *err = NULL;

    g_assert_cmpint (run (&out, &err, "style", fx->store, "nolayer", NULL), ==, 1);
    g_assert_nonnull (strstr (err, "nolayer"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (run (&out, &err, "style", fx->store, "pts", "--single", "#000000",
                          "--heatmap", NULL), ==, 2);
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (run (&out, &err, "style", fx->store, "pts", "--show", "--hide", NULL), ==, 2);
  }

  after = test_store_checksum (fx->store);
  g_assert_cmpstr (before, ==, after);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  gis_init ();

#define ADD(path, fn) \
  g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/cli/render/positions", test_render_positions);
  ADD ("/cli/render/time", test_render_time);
  ADD ("/cli/render/hidden", test_render_hidden);
  ADD ("/cli/render/vector", test_render_vector);
  ADD ("/cli/render/errors", test_render_errors);
  ADD ("/cli/style/kinds", test_style_kinds);
  ADD ("/cli/style/set-file", test_style_set_file);
  ADD ("/cli/style/errors", test_style_errors);
#undef ADD

  return g_test_run ();
}
