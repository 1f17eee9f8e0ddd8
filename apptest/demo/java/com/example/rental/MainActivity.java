package com.example.rental;

import android.app.Activity;
import android.content.SharedPreferences;
import android.content.pm.PackageManager;
import android.widget.Button;
import android.widget.CheckBox;
import android.widget.LinearLayout;
import android.widget.TextView;
import com.example.rental.location.NearbyHousesFinder;

/**
 * The one screen of the stand-in rental app: the privacy dialog (with a pre-ticked box), a
 * browse mode after refusal, the listings, and - its second defect - a dead end when the user
 * refuses location, which renting does not need.
 */
public class MainActivity extends Activity {
    private static final String LOCATION = "android.permission.ACCESS_FINE_LOCATION";
    private static final int REQUEST_LOCATION = 7;

    @Override
    protected void onCreate(Object savedInstanceState) {
        SharedPreferences prefs = getSharedPreferences("privacy", MODE_PRIVATE);
        if (!prefs.getBoolean("agreed", false)) {
            showPolicy();
        } else if (checkSelfPermission(LOCATION) != PackageManager.PERMISSION_GRANTED) {
            showLocationRequired();
        } else {
            showListings(false);
        }
    }

    private void showPolicy() {
        LinearLayout root = layout("com.example.rental:id/privacy_dialog");
        root.addView(text("com.example.rental:id/privacy_title", "用户协议与隐私政策"));
        root.addView(text("com.example.rental:id/privacy_body",
                "欢迎使用安心租房！我们会收集设备信息、位置信息用于房源推荐、统计分析与消息推送，详见《隐私政策》。"));
        root.addView(new CheckBox("我已阅读并同意《用户协议》和《隐私政策》", true).setId("com.example.rental:id/agree_check"));
        Button refuse = new Button("不同意");
        refuse.setId("com.example.rental:id/btn_disagree");
        refuse.setOnClickListener(v -> showListings(true));
        Button agree = new Button("同意");
        agree.setId("com.example.rental:id/btn_agree");
        agree.setOnClickListener(v -> onAgree());
        root.addView(refuse);
        root.addView(agree);
        setContentView(root);
    }

    private void onAgree() {
        getSharedPreferences("privacy", MODE_PRIVATE).edit().putBoolean("agreed", true).apply();
        if (checkSelfPermission(LOCATION) == PackageManager.PERMISSION_GRANTED) {
            showListings(false);
        } else {
            requestPermissions(new String[] {LOCATION}, REQUEST_LOCATION);
        }
    }

    @Override
    public void onRequestPermissionsResult(int requestCode, String[] permissions, int[] grantResults) {
        if (requestCode != REQUEST_LOCATION) {
            return;
        }
        if (grantResults.length > 0 && grantResults[0] == PackageManager.PERMISSION_GRANTED) {
            showListings(false);
        } else {
            showLocationRequired();
        }
    }

    private void showLocationRequired() {
        new NearbyHousesFinder(this).nearby();
        LinearLayout root = layout("com.example.rental:id/location_required");
        root.addView(text("com.example.rental:id/location_hint", "找房功能需要开启定位权限，请开启后再使用"));
        Button open = new Button("去开启");
        open.setId("com.example.rental:id/btn_open_location");
        open.setOnClickListener(v -> requestPermissions(new String[] {LOCATION}, REQUEST_LOCATION));
        root.addView(open);
        setContentView(root);
    }

    private void showListings(boolean browseOnly) {
        String area = new NearbyHousesFinder(this).nearby();
        LinearLayout root = layout("com.example.rental:id/home");
        if (browseOnly) {
            root.addView(text("com.example.rental:id/browse_banner", "当前为浏览模式，部分功能不可用"));
        }
        Button find = new Button("找房");
        find.setId("com.example.rental:id/tab_find");
        find.setOnClickListener(v -> { });
        root.addView(find);
        root.addView(text("com.example.rental:id/listing_1", area + " 两居室 整租 5800元/月"));
        root.addView(text("com.example.rental:id/listing_2", area + " 一居室 合租 2600元/月"));
        Button publish = new Button("发布房源");
        publish.setId("com.example.rental:id/tab_publish");
        publish.setOnClickListener(v -> { });
        root.addView(publish);
        setContentView(root);
    }

    private static LinearLayout layout(String id) {
        LinearLayout root = new LinearLayout();
        root.setId(id);
        return root;
    }

    private static TextView text(String id, String value) {
        TextView view = new TextView(value);
        view.setId(id);
        return view;
    }
}
