package com.bun.miitmdid.supplier.xiaomi;

import com.bun.miitmdid.interfaces.IdSupplier;

/** A vendor provider inside the MSA SDK: the class the interface hook must reach. */
public class XiaomiSupplier implements IdSupplier {
    @Override
    public boolean isSupported() {
        return true;
    }

    @Override
    public String getOAID() {
        return System.getProperty("standin.oaid", "3e8f7a6b-2c1d-4e5f-9a0b-1c2d3e4f5a6b");
    }

    @Override
    public String getVAID() {
        return "";
    }

    @Override
    public String getAAID() {
        return "";
    }
}
