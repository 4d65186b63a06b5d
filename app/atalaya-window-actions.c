/* atalaya-window-actions.c: the win.* actions
 *
 * Actions are installed on the class; atalaya_window_actions_update() is
 * the one place that enables and disables them, from the window's state.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "atalaya-window-actions"

#include "config.h"

#include <glib/gi18n.h>

#include "atalaya-window-private.h"

static void
open_store_response_cb (AtalayaWindow        *self,
                        int                   response,
                        GtkFileChooserNative *native)
{
  g_assert (ATALAYA_IS_WINDOW (self));
  g_assert (GTK_IS_FILE_CHOOSER_NATIVE (native));

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));

      if (file != NULL)
        atalaya_window_open_store (self, file);
    }

  gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (native));
  g_object_unref (native);
}

static void
atalaya_window_actions_open_store (GtkWidget  *widget,
                                   const char *action_name,
                                   GVariant   *param)
{
  AtalayaWindow *self = ATALAYA_WINDOW (widget);
  g_autoptr(GtkFileFilter) stores = NULL;
  g_autoptr(GtkFileFilter) all_files = NULL;
  g_autofree char *last_store = NULL;
  GtkFileChooserNative *native;

  g_assert (ATALAYA_IS_WINDOW (self));

  native = gtk_file_chooser_native_new (_("Open Store"),
                                        GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_OPEN,
                                        _("_Open"),
                                        _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);

  stores = gtk_file_filter_new ();
  gtk_file_filter_set_name (stores, _("SpatiaLite stores"));
  gtk_file_filter_add_pattern (stores, "*.sqlite");
  gtk_file_filter_add_pattern (stores, "*.db");
  gtk_file_filter_add_pattern (stores, "*.atalaya");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), stores);

  all_files = gtk_file_filter_new ();
  gtk_file_filter_set_name (all_files, _("All files"));
  gtk_file_filter_add_pattern (all_files, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), all_files);

  gtk_file_chooser_set_filter (GTK_FILE_CHOOSER (native), stores);

  /* Start where the last store was. */
  last_store = g_settings_get_string (self->settings, "last-store");
  if (last_store[0] != '\0')
    {
      g_autoptr(GFile) file = g_file_new_for_path (last_store);
      g_autoptr(GFile) folder = g_file_get_parent (file);

      if (folder != NULL && g_file_query_exists (folder, NULL))
        gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (native), folder, NULL);
    }

  g_signal_connect_object (native,
                           "response",
                           G_CALLBACK (open_store_response_cb),
                           self,
                           G_CONNECT_SWAPPED);

  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
atalaya_window_actions_close_store (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *param)
{
  g_assert (ATALAYA_IS_WINDOW (widget));

  atalaya_window_close_store (ATALAYA_WINDOW (widget));
}

void
atalaya_window_class_actions_init (AtalayaWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_install_action (widget_class, "win.open-store", NULL,
                                   atalaya_window_actions_open_store);
  gtk_widget_class_install_action (widget_class, "win.close-store", NULL,
                                   atalaya_window_actions_close_store);
}

void
atalaya_window_actions_update (AtalayaWindow *self)
{
  gboolean has_store;
  gboolean loading;

  g_assert (ATALAYA_IS_WINDOW (self));

  has_store = self->store != NULL;
  loading = self->opening_file != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.close-store", has_store || loading);
}
