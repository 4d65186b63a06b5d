/* main.c: the atalaya program
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "atalaya"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "gis.h"

#include "atalaya-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(AtalayaApplication) app = NULL;
  const char *localedir;
  int ret;

  localedir = g_getenv ("ATALAYA_LOCALEDIR");

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  atalaya_choose_renderer ();
  gis_init ();

  app = atalaya_application_new (APP_ID, G_APPLICATION_HANDLES_OPEN);
  ret = g_application_run (G_APPLICATION (app), argc, argv);

  /* Stores close with the last reference to them, before the libraries
   * shut down. */
  g_clear_object (&app);
  gis_shutdown ();

  return ret;
}
