package com.android.standin;

import android.view.View;
import android.view.ViewGroup;

/**
 * What is on the stand-in's screen, as a uiautomator dump: the same XML shape a phone gives,
 * so the scenario resolves targets and the evidence keeps screens exactly as on a phone.
 */
final class Screen {
    static final int WIDTH = 1080;
    static final int HEIGHT = 2340;
    private static final int[] ALLOW = {120, 1500, 960, 1640};
    private static final int[] DENY = {120, 1660, 960, 1800};
    private static final int[] ICON = {60, 300, 300, 540};

    private Screen() {}

    static String dump(View content, String appPackage, String label, String permission) {
        StringBuilder out = new StringBuilder();
        out.append("<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<hierarchy rotation=\"0\">\n");
        if (content == null) {
            node(out, "", "", "android.widget.FrameLayout", launcherPackage(), false, false, false, new int[] {0, 0, WIDTH, HEIGHT}, true);
            node(out, label, "com.android.launcher3:id/icon", "android.widget.TextView", launcherPackage(), false, false, true, ICON, false);
            out.append("</node>\n");
        } else {
            content.layout(0, 0, WIDTH, HEIGHT);
            view(out, content, appPackage);
        }
        if (permission != null) {
            String ui = Phone.PERMISSION_UI;
            node(out, "", "com.android.permissioncontroller:id/grant_dialog", "android.widget.LinearLayout", ui, false, false, false,
                    new int[] {60, 1100, 1020, 1860}, true);
            node(out, question(permission, label), "com.android.permissioncontroller:id/permission_message", "android.widget.TextView", ui,
                    false, false, false, new int[] {120, 1180, 960, 1420}, false);
            node(out, "仅在使用该应用期间允许", "com.android.permissioncontroller:id/permission_allow_foreground_only_button",
                    "android.widget.Button", ui, false, false, true, ALLOW, false);
            node(out, "拒绝", "com.android.permissioncontroller:id/permission_deny_button", "android.widget.Button", ui, false, false,
                    true, DENY, false);
            out.append("</node>\n");
        }
        out.append("</hierarchy>\n");
        return out.toString();
    }

    private static String launcherPackage() {
        return Phone.LAUNCHER;
    }

    private static String question(String permission, String label) {
        String what;
        if (permission.contains("LOCATION")) {
            what = "获取此设备的位置信息";
        } else if (permission.contains("PHONE_STATE")) {
            what = "拨打电话和管理通话";
        } else if (permission.contains("CAMERA")) {
            what = "拍摄照片和录制视频";
        } else {
            what = "使用 " + permission;
        }
        return "要允许“" + label + "”" + what + "吗？";
    }

    private static void view(StringBuilder out, View v, String pkg) {
        String cls = "android.widget." + v.getClass().getSimpleName();
        if (!(v.getClass().getName().startsWith("android."))) {
            cls = v.getClass().getName();
        }
        boolean group = v instanceof ViewGroup;
        node(out, v.getText(), v.getResourceName(), cls, pkg, v.isCheckable(), v.isChecked(), v.isClickable(), v.bounds(), group);
        if (group) {
            for (View child : ((ViewGroup) v).getChildren()) {
                view(out, child, pkg);
            }
            out.append("</node>\n");
        }
    }

    private static void node(StringBuilder out, String text, String id, String cls, String pkg, boolean checkable,
            boolean checked, boolean clickable, int[] b, boolean open) {
        out.append("<node index=\"0\" text=\"").append(escape(text)).append("\" resource-id=\"").append(escape(id))
                .append("\" class=\"").append(cls).append("\" package=\"").append(pkg)
                .append("\" content-desc=\"\" checkable=\"").append(checkable).append("\" checked=\"").append(checked)
                .append("\" clickable=\"").append(clickable).append("\" enabled=\"true\" bounds=\"[")
                .append(b[0]).append(',').append(b[1]).append("][").append(b[2]).append(',').append(b[3]).append("]\"")
                .append(open ? ">\n" : " />\n");
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    static View hit(View root, int x, int y) {
        if (root == null) {
            return null;
        }
        root.layout(0, 0, WIDTH, HEIGHT);
        return deepest(root, x, y);
    }

    private static View deepest(View v, int x, int y) {
        int[] b = v.bounds();
        if (x < b[0] || x >= b[2] || y < b[1] || y >= b[3]) {
            return null;
        }
        if (v instanceof ViewGroup) {
            for (View child : ((ViewGroup) v).getChildren()) {
                View found = deepest(child, x, y);
                if (found != null) {
                    return found;
                }
            }
        }
        return v.isClickable() ? v : null;
    }

    static String dialogButtonAt(int x, int y) {
        if (inside(ALLOW, x, y)) {
            return "allow";
        }
        return inside(DENY, x, y) ? "deny" : null;
    }

    static boolean launcherIconAt(int x, int y) {
        return inside(ICON, x, y);
    }

    private static boolean inside(int[] b, int x, int y) {
        return x >= b[0] && x < b[2] && y >= b[1] && y < b[3];
    }
}
