/* atalaya-application-private.h: internals shared by the application's files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "atalaya-application.h"
#include "atalaya-window.h"

G_BEGIN_DECLS

struct _AtalayaApplication
{
  AdwApplication parent_instance;
};

void           atalaya_application_actions_init      (AtalayaApplication *self);
AtalayaWindow *atalaya_application_get_target_window (AtalayaApplication *self);

G_END_DECLS
