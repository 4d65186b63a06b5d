/* atalaya-application-actions.c: the app.* actions and their accelerators
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "atalaya-application-actions"

#include "config.h"

#include <glib/gi18n.h>

#include "atalaya-application-private.h"

static void
atalaya_application_actions_quit (GSimpleAction *action,
                                  GVariant      *param,
                                  gpointer       user_data)
{
  AtalayaApplication *self = user_data;
  g_autoptr(GList) windows = NULL;

  g_assert (ATALAYA_IS_APPLICATION (self));

  /* Close rather than destroy, so each window saves its state. */
  windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));
  for (const GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (l->data);

  g_application_quit (G_APPLICATION (self));
}

static void
atalaya_application_actions_about (GSimpleAction *action,
                                   GVariant      *param,
                                   gpointer       user_data)
{
  AtalayaApplication *self = user_data;
  GtkWindow *parent;
  GtkWidget *about;

  g_assert (ATALAYA_IS_APPLICATION (self));

  parent = gtk_application_get_active_window (GTK_APPLICATION (self));

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", parent,
                        "application-name", _("Atalaya"),
                        "application-icon", APP_ID,
                        "developer-name", _("The Atalaya developers"),
                        "version", PACKAGE_VERSION,
                        "comments", _("A GIS workstation for environmental-enforcement analysts "
                                      "of the United States, Canada and Mexico: border ports of "
                                      "entry, regulated facilities, wildlife habitat and "
                                      "incidents, coverage gaps and hotspots."),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        /* Translators: your names, one per line, as "Name <email>" or "Name" */
                        "translator-credits", _("translator-credits"),
                        NULL);

  gtk_window_present (GTK_WINDOW (about));
}

static void
atalaya_application_actions_open_store (GSimpleAction *action,
                                        GVariant      *param,
                                        gpointer       user_data)
{
  AtalayaApplication *self = user_data;
  AtalayaWindow *window;

  g_assert (ATALAYA_IS_APPLICATION (self));

  window = atalaya_application_get_target_window (self);
  gtk_window_present (GTK_WINDOW (window));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.open-store", NULL);
}

static void
atalaya_application_actions_shortcuts (GSimpleAction *action,
                                       GVariant      *param,
                                       gpointer       user_data)
{
  AtalayaApplication *self = user_data;
  AtalayaWindow *window;

  g_assert (ATALAYA_IS_APPLICATION (self));

  /* GtkApplicationWindow owns the help overlay and its accelerators. */
  window = atalaya_application_get_target_window (self);
  gtk_window_present (GTK_WINDOW (window));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL);
}

void
atalaya_application_actions_init (AtalayaApplication *self)
{
  static const GActionEntry actions[] = {
    { "about", atalaya_application_actions_about },
    { "open-store", atalaya_application_actions_open_store },
    { "quit", atalaya_application_actions_quit },
    { "shortcuts", atalaya_application_actions_shortcuts },
  };
  static const struct {
    const char *action;
    const char *accels[2];
  } accels[] = {
    { "app.open-store", { "<Control>o", NULL } },
    { "app.quit", { "<Control>q", NULL } },
  };

  g_assert (ATALAYA_IS_APPLICATION (self));

  g_action_map_add_action_entries (G_ACTION_MAP (self),
                                   actions,
                                   G_N_ELEMENTS (actions),
                                   self);

  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self),
                                           accels[i].action,
                                           accels[i].accels);
}
