package com.umeng.commonsdk.internal;

import android.app.ActivityThread;
import com.bun.miitmdid.core.MdidSdkHelper;
import com.bun.miitmdid.interfaces.IIdentifierListener;
import com.bun.miitmdid.interfaces.IdSupplier;

/** Umeng's OAID module: asks MSA for the OAID through the listener. */
public class OaidTracker implements Runnable, IIdentifierListener {
    public String oaid;

    @Override
    public void run() {
        MdidSdkHelper.InitSdk(ActivityThread.currentApplication(), false, this);
    }

    @Override
    public void OnSupport(boolean isSupport, IdSupplier supplier) {
        oaid = supplier.getOAID();
    }
}
