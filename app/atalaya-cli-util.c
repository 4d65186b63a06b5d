/* atalaya-cli-util.c: what the command-line tool's commands share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "atalaya-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "atalaya-cli-util.h"

gboolean cli_opt_json;
gboolean cli_opt_quiet;

/* ---- output helpers ---------------------------------------------------- */


int
cli_fail (GError *error)
{
  g_autofree char *one_line = g_strdelimit (g_strdup (error->message), "\n", ' ');

  cli_restore_stderr ();
  g_printerr ("atalaya-cli: %s\n", one_line);
  g_error_free (error);
  return EXIT_USER;
}

int
cli_usage_error (GOptionContext *context,
                 const char     *message)
{
  g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

  g_printerr ("atalaya-cli: %s\n\n%s", message, help);
  return EXIT_USAGE;
}

void
cli_print_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_pretty (gen, TRUE);
  json_generator_set_root (gen, node);
  text = json_generator_to_data (gen, NULL);
  g_print ("%s\n", text);
}

gboolean cli_stderr_is_tty;

void
cli_on_progress (double      fraction,
                 const char *message,
                 gpointer    user_data)
{
  if (cli_opt_quiet || !cli_stderr_is_tty)
    return;

  if (fraction >= 0)
    g_printerr ("\r\033[K%s… %3d%%", message ? message : "", (int) (fraction * 100 + 0.5));
  else
    g_printerr ("\r\033[K%s…", message ? message : "");
}

void
cli_end_progress (void)
{
  if (!cli_opt_quiet && cli_stderr_is_tty)
    g_printerr ("\r\033[K");
}

/* SpatiaLite's SQL functions print their own failures on stderr, where
 * they would come before, and read differently from, the one line this
 * tool promises; they are held back while user SQL runs. */
static int cli_saved_stderr = -1;

void
cli_hush_library_stderr (void)
{
  int devnull = open ("/dev/null", O_WRONLY);

  if (devnull < 0)
    return;
  fflush (stderr);
  cli_saved_stderr = dup (STDERR_FILENO);
  dup2 (devnull, STDERR_FILENO);
  close (devnull);
}

void
cli_restore_stderr (void)
{
  if (cli_saved_stderr < 0)
    return;
  fflush (stderr);
  dup2 (cli_saved_stderr, STDERR_FILENO);
  close (cli_saved_stderr);
  cli_saved_stderr = -1;
}

GisStore *
cli_open_store (const char         *path,
                GisStoreOpenFlags   flags,
                GError            **error)
{
  return gis_store_open (path, flags, error);
}

void
cli_add_extent (JsonBuilder     *b,
                const GisExtent *extent)
{
  json_builder_set_member_name (b, "extent");
  if (gis_extent_is_empty (extent))
    {
      json_builder_add_null_value (b);
      return;
    }
  json_builder_begin_array (b);
  json_builder_add_double_value (b, extent->min_x);
  json_builder_add_double_value (b, extent->min_y);
  json_builder_add_double_value (b, extent->max_x);
  json_builder_add_double_value (b, extent->max_y);
  json_builder_end_array (b);
}

void
cli_add_layer (JsonBuilder *b,
               GisLayer    *layer)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_int_value (b, gis_layer_get_id (layer));
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, gis_layer_get_name (layer));
  json_builder_set_member_name (b, "table");
  json_builder_add_string_value (b, gis_layer_get_table_name (layer));
  json_builder_set_member_name (b, "role");
  json_builder_add_string_value (b, gis_layer_role_to_string (gis_layer_get_role (layer)));
  json_builder_set_member_name (b, "geometry_type");
  json_builder_add_string_value (b, gis_layer_get_geometry_type (layer));
  json_builder_set_member_name (b, "srid");
  json_builder_add_int_value (b, gis_layer_get_srid (layer));
  json_builder_set_member_name (b, "feature_count");
  json_builder_add_int_value (b, gis_layer_get_feature_count (layer));
  json_builder_set_member_name (b, "source");
  json_builder_add_string_value (b, gis_layer_get_source (layer));
  json_builder_set_member_name (b, "imported_at");
  json_builder_add_string_value (b, gis_layer_get_imported_at (layer));
  json_builder_set_member_name (b, "visible");
  json_builder_add_boolean_value (b, gis_layer_get_visible (layer));
  json_builder_set_member_name (b, "z_order");
  json_builder_add_int_value (b, gis_layer_get_z_order (layer));
  json_builder_set_member_name (b, "opacity");
  json_builder_add_double_value (b, gis_layer_get_opacity (layer));
  cli_add_extent (b, gis_layer_get_extent (layer));
  json_builder_end_object (b);
}

