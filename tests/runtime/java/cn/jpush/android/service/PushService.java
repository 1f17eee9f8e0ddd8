package cn.jpush.android.service;

import android.app.ContextImpl;
import android.content.Context;
import android.provider.Settings;
import android.telephony.TelephonyManager;

/** JPush's push process (":push" on a phone): here a second JVM the app starts. */
public class PushService {
    public static void main(String[] args) throws Exception {
        Context context = new ContextImpl("com.example.rental");
        TelephonyManager tm = (TelephonyManager) context.getSystemService(Context.TELEPHONY_SERVICE);
        String imsi = tm.getSubscriberId();
        String androidId = Settings.Secure.getString(context.getContentResolver(), Settings.Secure.ANDROID_ID);
        System.out.println("push " + ProcessHandle.current().pid() + " " + imsi.length() + " " + androidId.length());
    }
}
