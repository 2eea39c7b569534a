// Compile-check stub: signatures of the public Android API (developer.android.com), no behaviour.
package android.app;

import android.content.Intent;
import android.os.Bundle;
import android.view.ContextThemeWrapper;
import android.view.View;

public class Activity extends ContextThemeWrapper {
    public static final int RESULT_OK = -1;

    public Activity() { throw new RuntimeException("stub"); }

    protected void onCreate(Bundle savedInstanceState) { throw new RuntimeException("stub"); }

    protected void onResume() { throw new RuntimeException("stub"); }

    protected void onPause() { throw new RuntimeException("stub"); }

    protected void onDestroy() { throw new RuntimeException("stub"); }

    protected void onSaveInstanceState(Bundle outState) { throw new RuntimeException("stub"); }

    protected void onActivityResult(int requestCode, int resultCode, Intent data) { throw new RuntimeException("stub"); }

    public void setContentView(int layoutResID) { throw new RuntimeException("stub"); }

    public <T extends View> T findViewById(int id) { throw new RuntimeException("stub"); }

    public Intent getIntent() { throw new RuntimeException("stub"); }

    public void setTitle(CharSequence title) { throw new RuntimeException("stub"); }

    public final void runOnUiThread(Runnable action) { throw new RuntimeException("stub"); }

    public void startActivityForResult(Intent intent, int requestCode) { throw new RuntimeException("stub"); }

    public final void requestPermissions(String[] permissions, int requestCode) { throw new RuntimeException("stub"); }

    public boolean isDestroyed() { throw new RuntimeException("stub"); }
}
