/* atalaya-application.c: the Atalaya desktop application
 *
 * AdwApplication loads style.css, the icons and gtk/help-overlay.ui from
 * the resource base path, /org/atalaya/Atalaya.  Files given on the
 * command line are stores, each opened in a window.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "atalaya-application"

#include "config.h"

#include <epoxy/gl.h>
#include <string.h>

#include <glib/gi18n.h>

#include "atalaya-application-private.h"

G_DEFINE_FINAL_TYPE (AtalayaApplication, atalaya_application, ADW_TYPE_APPLICATION)

/* A window showing nothing and opening nothing, to reuse for a store. */
static AtalayaWindow *
atalaya_application_find_unused_window (AtalayaApplication *self)
{
  g_assert (ATALAYA_IS_APPLICATION (self));

  for (const GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    {
      if (ATALAYA_IS_WINDOW (l->data) &&
          atalaya_window_get_store (l->data) == NULL &&
          !atalaya_window_get_loading (l->data))
        return l->data;
    }

  return NULL;
}

static void
atalaya_application_activate (GApplication *application)
{
  AtalayaApplication *self = ATALAYA_APPLICATION (application);

  g_assert (ATALAYA_IS_APPLICATION (self));

  gtk_window_present (GTK_WINDOW (atalaya_application_get_target_window (self)));
}

static void
atalaya_application_open (GApplication  *application,
                          GFile        **files,
                          int            n_files,
                          const char    *hint)
{
  AtalayaApplication *self = ATALAYA_APPLICATION (application);

  g_assert (ATALAYA_IS_APPLICATION (self));
  g_assert (files != NULL);

  for (int i = 0; i < n_files; i++)
    {
      AtalayaWindow *window = atalaya_application_find_unused_window (self);

      if (window == NULL)
        window = atalaya_window_new (self);

      atalaya_window_open_store (window, files[i]);
      gtk_window_present (GTK_WINDOW (window));
    }
}

static void
atalaya_application_startup (GApplication *application)
{
  AtalayaApplication *self = ATALAYA_APPLICATION (application);

  G_APPLICATION_CLASS (atalaya_application_parent_class)->startup (application);

  gtk_window_set_default_icon_name (APP_ID);

  atalaya_application_actions_init (self);
}

static void
atalaya_application_class_init (AtalayaApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->activate = atalaya_application_activate;
  app_class->open = atalaya_application_open;
  app_class->startup = atalaya_application_startup;
}

static void
atalaya_application_init (AtalayaApplication *self)
{
  g_application_set_option_context_parameter_string (G_APPLICATION (self),
                                                      _("[STORE…]"));
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Open SpatiaLite stores of border ports, "
                                              "facilities, habitat and incidents."));
}

/**
 * atalaya_application_new:
 * @application_id: the application identifier, usually %APP_ID
 * @flags: flags; %G_APPLICATION_HANDLES_OPEN is always added
 *
 * Returns: (transfer full): a new application
 */
AtalayaApplication *
atalaya_application_new (const char        *application_id,
                         GApplicationFlags  flags)
{
  g_return_val_if_fail (application_id != NULL, NULL);

  return g_object_new (ATALAYA_TYPE_APPLICATION,
                       "application-id", application_id,
                       "flags", flags | G_APPLICATION_HANDLES_OPEN,
                       NULL);
}

/**
 * atalaya_application_get_target_window:
 * @self: the application
 *
 * The window that application-wide actions act on: the active window, or
 * a new one when there is none.
 *
 * Returns: (transfer none): a window
 */
AtalayaWindow *
atalaya_application_get_target_window (AtalayaApplication *self)
{
  GtkWindow *window;

  g_return_val_if_fail (ATALAYA_IS_APPLICATION (self), NULL);

  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (ATALAYA_IS_WINDOW (window))
    return ATALAYA_WINDOW (window);

  return atalaya_window_new (self);
}

/* GTK draws with OpenGL; without a GPU that is a software rasterizer
 * (llvmpipe in virtual machines and remote desktops), which takes around
 * 100 ms a frame for a full-screen map.  GTK's cairo renderer draws the
 * same window at 60 frames a second there, so it is chosen instead,
 * unless the user chose a renderer. */
/**
 * atalaya_choose_renderer:
 *
 * Call before the first window.
 */
void
atalaya_choose_renderer (void)
{
  GdkDisplay *display;
  g_autoptr(GdkGLContext) context = NULL;
  const char *renderer = NULL;

  if (g_getenv ("GSK_RENDERER") != NULL || !gtk_init_check ())
    return;

  display = gdk_display_get_default ();
  context = gdk_display_create_gl_context (display, NULL);
  if (context != NULL && gdk_gl_context_realize (context, NULL))
    {
      gdk_gl_context_make_current (context);
      renderer = (const char *) glGetString (GL_RENDERER);
    }

  if (context == NULL || renderer == NULL ||
      strstr (renderer, "llvmpipe") != NULL || strstr (renderer, "softpipe") != NULL ||
      strstr (renderer, "Software Rasterizer") != NULL || strstr (renderer, "SWR") != NULL)
    {
      g_debug ("OpenGL renderer “%s”: drawing with cairo", renderer ? renderer : "none");
      g_setenv ("GSK_RENDERER", "cairo", FALSE);
    }
  gdk_gl_context_clear_current ();
}
