// Compile-check stub: signatures of the public Android API (developer.android.com), no behaviour.
package android.content;

import android.net.Uri;

public class Intent {
    public static final String ACTION_MAIN = "android.intent.action.MAIN";
    public static final String ACTION_CREATE_DOCUMENT = "android.intent.action.CREATE_DOCUMENT";
    public static final String CATEGORY_LAUNCHER = "android.intent.category.LAUNCHER";
    public static final String CATEGORY_OPENABLE = "android.intent.category.OPENABLE";
    public static final String EXTRA_TITLE = "android.intent.extra.TITLE";

    public Intent(String action) { throw new RuntimeException("stub"); }

    public Intent(Context packageContext, Class<?> cls) { throw new RuntimeException("stub"); }

    public String getAction() { throw new RuntimeException("stub"); }

    public Intent setAction(String action) { throw new RuntimeException("stub"); }

    public Uri getData() { throw new RuntimeException("stub"); }

    public Intent setType(String type) { throw new RuntimeException("stub"); }

    public Intent addCategory(String category) { throw new RuntimeException("stub"); }

    public Intent putExtra(String name, String value) { throw new RuntimeException("stub"); }

    public String getStringExtra(String name) { throw new RuntimeException("stub"); }
}
