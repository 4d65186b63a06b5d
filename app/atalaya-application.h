/* atalaya-application.h: the Atalaya desktop application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define ATALAYA_TYPE_APPLICATION (atalaya_application_get_type ())

G_DECLARE_FINAL_TYPE (AtalayaApplication, atalaya_application, ATALAYA, APPLICATION, AdwApplication)

AtalayaApplication *atalaya_application_new (const char        *application_id,
                                             GApplicationFlags  flags);

void                atalaya_choose_renderer (void);

G_END_DECLS
